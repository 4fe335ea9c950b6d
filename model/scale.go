package model

import "strconv"

// intSet is a set of small non-negative integers (indices of sites,
// domains, services) for duplicate checks on lists that a hostile file can
// make hundreds of thousands long, where scanning the list for each
// element would take quadratic time.
type intSet map[int]struct{}

func (s intSet) has(i int) bool {
	_, ok := s[i]
	return ok
}

func (s intSet) add(i int) { s[i] = struct{}{} }

// maxCycleReports bounds the dependency cycles reported, and
// maxCycleNames the services a cycle's message names: a file can hold
// a cycle through every service, or thousands of cycles.
const (
	maxCycleReports = 100
	maxCycleNames   = 12
)

// cycleNames lists a cycle's service names for a message, shortened in
// the middle when it is long: a → b → … (500 services) → y → a.
func cycleNames(names []string) []string {
	if len(names) <= maxCycleNames {
		return names
	}
	out := append([]string{}, names[:maxCycleNames/2]...)
	out = append(out, "… ("+strconv.Itoa(len(names)-maxCycleNames)+" more)")
	return append(out, names[len(names)-maxCycleNames/2:]...)
}

// domainIndex is domainIndex(sites[i]), built once per site and reader:
// every catalogue incident names a domain, and a file can hold tens of
// thousands of incidents and of domains.
func (r *reader) domainIndex(sites []Site, i int) map[string]int {
	if r.domains == nil {
		r.domains = map[int]map[string]int{}
	}
	m, ok := r.domains[i]
	if !ok {
		m = domainIndex(sites[i])
		r.domains[i] = m
	}
	return m
}
