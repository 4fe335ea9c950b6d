package model

// Partitions between regions: while one is under way, no site of one of
// its regions reaches a site of the other, so a service that depends on a
// service serving only across the cut serves nothing (available).

// cutBetween starts a partition between regions: side[p] is 1 or 2 for the
// sites of either region. Every service is re-evaluated: one that can no
// longer reach a service it depends on serves nothing.
func (sv *services) cutBetween(side []int8) {
	sv.cuts = append(sv.cuts, side)
	for s := range sv.r.m.svc {
		sv.touch(s)
	}
}

// healBetween ends the partition cutBetween started with side.
func (sv *services) healBetween(side []int8) {
	for k := range sv.cuts {
		if &sv.cuts[k][0] == &side[0] {
			sv.cuts = append(sv.cuts[:k], sv.cuts[k+1:]...)
			break
		}
	}
	for s := range sv.r.m.svc {
		sv.touch(s)
	}
}

// reaches reports whether site p reaches site q across the partitions
// between regions under way.
func (sv *services) reaches(p, q int) bool {
	for _, side := range sv.cuts {
		if side[p] != 0 && side[q] != 0 && side[p] != side[q] {
			return false
		}
	}
	return true
}

// reachesDeps reports whether some site s serves from reaches, for every
// service s depends on, some site that service serves from.
func (sv *services) reachesDeps(s int) bool {
	m := sv.r.m
	for _, d := range m.svc[s].deps {
		ok := false
		for _, p := range sv.serving(s) {
			for _, q := range sv.serving(d) {
				if sv.reaches(p, q) {
					ok = true
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// serving returns the sites s serves from: its active site, or every
// placement site of an active-active service.
func (sv *services) serving(s int) []int {
	x := &sv.r.m.svc[s]
	if x.mode == modeActive {
		return x.sites
	}
	a := sv.hot[s].active
	return sv.siteIDs[a : a+1]
}
