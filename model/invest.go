package model

import (
	"fmt"
	"math"
	"strings"
)

// Investment is a named change to a scenario — an overlay patch on the
// scenario's TOML and/or multipliers on incident frequencies — with its
// costs, in the scenario currency.
type Investment struct {
	Name          string
	Description   string
	Source        string // where the costs and effects come from
	Capex         float64
	OpexPerYear   float64
	LifetimeYears float64
	// FrequencyMul multiplies the annual frequency of the named incidents
	// ("*" for every incident), e.g. 0.3 for battery isolation.
	FrequencyMul map[string]float64

	patch map[string]any
}

// readCatalogue reads [[incidents]], each an [incident] table with a
// required frequency; without it the catalogue is [incident] alone, if it
// has a frequency.
func (sc *Scenario) readCatalogue(root *table) {
	r := root.r
	siteIdx := map[string]int{}
	for i, s := range sc.Sites {
		siteIdx[s.Name] = i
	}
	tabs := root.tables("incidents")
	seen := map[string]int{}
	for k, t := range tabs {
		t.required("name")
		t.required("frequency")
		in := readIncident(t, sc.Sites, siteIdx)
		sc.readScope(t, &in, siteIdx)
		t.done()
		if j, dup := seen[in.Name]; dup && in.Name != "" {
			r.errf(t.sub("name"), "duplicate incident name %q (also incidents[%d])", in.Name, j)
		}
		seen[in.Name] = k
		if t.has("frequency") && !(in.PerYear > 0) {
			r.errf(t.sub("frequency"), "must be positive")
		}
		sc.Incidents = append(sc.Incidents, in)
	}
	if len(tabs) == 0 && sc.Incident.PerYear > 0 {
		in := sc.Incident
		if in.Name == "" {
			in.Name = "incident"
		}
		sc.Incidents = []Incident{in}
	}
}

func (sc *Scenario) readInvestments(root *table) {
	r := root.r
	seen := map[string]int{}
	incNames := map[string]bool{"*": true}
	for _, in := range sc.Incidents {
		incNames[in.Name] = true
	}
	checkPatches := sc.patchesFit(r)
	for k, t := range root.tables("investments") {
		var iv Investment
		t.required("name")
		iv.Name = t.str("name", "")
		if iv.Name != "" && !validName(iv.Name) {
			r.errf(t.sub("name"), "%q: use at most %d of letters, digits, '-', '_' and '.'", clip(iv.Name), MaxNameBytes)
		}
		if iv.Name == "baseline" {
			r.errf(t.sub("name"), "\"baseline\" names the unchanged scenario; choose another name")
		}
		if j, dup := seen[iv.Name]; dup && iv.Name != "" {
			r.errf(t.sub("name"), "duplicate investment name %q (also investments[%d])", iv.Name, j)
		}
		seen[iv.Name] = k
		iv.Description = t.str("description", "")
		iv.Source = t.str("source", "")
		name := iv.Name
		iv.Capex = t.uncertainNonNeg("capex", "investments["+name+"].capex", 0,
			func(sc *Scenario, x float64) { sc.setInvestment(name, func(iv *Investment) { iv.Capex = x }) })
		iv.OpexPerYear = t.uncertainNonNeg("opex_per_year", "investments["+name+"].opex_per_year", 0,
			func(sc *Scenario, x float64) { sc.setInvestment(name, func(iv *Investment) { iv.OpexPerYear = x }) })
		iv.LifetimeYears = t.positive("lifetime_years", 10)
		ft := t.child("frequency_multiplier")
		iv.FrequencyMul = map[string]float64{}
		for _, name := range sortedKeys(ft.m) {
			x := ft.nonNeg(name, 1)
			if !incNames[name] {
				r.errf(ft.sub(name), "no incident named %q in the catalogue%s", name, suggestFrom(r, name, incNames))
				continue
			}
			iv.FrequencyMul[name] = x
		}
		ft.done()
		if v, ok := t.get("patch"); ok {
			pm, isMap := v.(map[string]any)
			if !isMap {
				r.errf(t.sub("patch"), "want a table ([investments.patch]), got %s", tomlType(v))
			} else {
				iv.patch = pm
			}
		}
		t.done()
		if iv.patch != nil && sc.raw != nil && checkPatches {
			sc.checkPatch(r, t.sub("patch"), iv)
		}
		sc.Investments = append(sc.Investments, iv)
	}
}

// InvestmentIndex returns the index of the named investment, or -1.
func (sc *Scenario) InvestmentIndex(name string) int {
	for i, iv := range sc.Investments {
		if iv.Name == name {
			return i
		}
	}
	return -1
}

// Variant returns the scenario with the named investments applied, in the
// given order: their patches overlaid on the TOML (see scenarios/README.md,
// "Investments") and their frequency multipliers applied to the incident
// catalogue. With no names it returns sc itself.
func (sc *Scenario) Variant(names []string) (*Scenario, error) {
	if len(names) == 0 {
		return sc, nil
	}
	raw := sc.rawWithoutInvestments()
	var mul []map[string]float64
	origins := patchOrigins{}
	for _, n := range names {
		k := sc.InvestmentIndex(n)
		if k < 0 {
			return nil, fmt.Errorf("no investment named %q%s", n, suggest(n, sc.investmentNames()))
		}
		iv := sc.Investments[k]
		var problems []string
		p := patcher{problems: &problems, origin: origins}
		p.apply(raw, iv.patch, fmt.Sprintf("investments[%d].patch", k), "")
		if len(problems) > 0 {
			return nil, fmt.Errorf("investment %q: %s", n, strings.ReplaceAll(problems[0], "\x00", ": "))
		}
		mul = append(mul, iv.FrequencyMul)
	}
	v, err := build(sc.File, sc.Source, raw, sc.lines)
	if err != nil {
		return nil, fmt.Errorf("portfolio %s: %w", strings.Join(names, "+"), origins.relocate(err, sc.lines))
	}
	v.Investments = sc.Investments
	for i := range v.Incidents {
		for _, fm := range mul {
			if x, ok := fm[v.Incidents[i].Name]; ok {
				v.Incidents[i].PerYear *= x
			} else if x, ok := fm["*"]; ok {
				v.Incidents[i].PerYear *= x
			}
		}
	}
	return v, nil
}

func (sc *Scenario) investmentNames() []string {
	out := make([]string, len(sc.Investments))
	for i, iv := range sc.Investments {
		out[i] = iv.Name
	}
	return out
}

// WithIncident returns a shallow copy of sc whose initiating event is
// catalogue incident k.
func (sc *Scenario) WithIncident(k int) *Scenario {
	c := *sc
	c.Incident = sc.Incidents[k]
	return &c
}

// AnnualisedCost returns capex spread over the lifetime as an annuity at
// discount rate r, plus opex:
//
//	capex · r / (1 - (1+r)^-L) + opex     (capex / L + opex when r = 0)
func (iv *Investment) AnnualisedCost(r float64) float64 {
	L := iv.LifetimeYears
	if L <= 0 {
		L = 1
	}
	if r == 0 {
		return iv.Capex/L + iv.OpexPerYear
	}
	return iv.Capex*r/(1-math.Pow(1+r, -L)) + iv.OpexPerYear
}

// applyPatch overlays patch on base. Tables merge key by key; arrays of
// tables that carry a "name" (sites, domains, services, incidents) merge
// element by element matched by name, and an element whose name is not in
// base is an error unless it sets new = true, which adds it; every other
// value, including arrays without names such as placement, replaces the
// base value. Problems are appended as "path\x00message".
func applyPatch(base, patch map[string]any, path string, problems *[]string) {
	p := patcher{problems: problems}
	p.apply(base, patch, path, "")
}

// patcher applies a patch; when origin is not nil it records, for each key
// path of the merged scenario the patch sets, the patch's own path, so
// that a problem in the merged scenario is reported where the patch says
// it (patchOrigins.place).
type patcher struct {
	problems *[]string
	origin   patchOrigins
}

// patchOrigins maps a merged key path to the patch path that sets it.
type patchOrigins map[string]patchSrc

type patchSrc struct {
	path string
	// whole: the patch gives the whole value, so every path inside it is
	// in the patch too; otherwise (a table or named element it merges
	// into) only the enclosing path is.
	whole bool
}

func (p *patcher) note(merged, path string, whole bool) {
	if p.origin != nil {
		p.origin[merged] = patchSrc{path, whole}
	}
}

func (p *patcher) problem(path, msg string) {
	*p.problems = append(*p.problems, path+"\x00"+msg)
}

// apply overlays patch (at path in the file) on base (at merged in the
// merged scenario).
func (p *patcher) apply(base, patch map[string]any, path, merged string) {
	for _, k := range sortedKeys(patch) {
		pv := patch[k]
		kp, km := joinKey(path, k), joinKey(merged, k)
		bv, exists := base[k]
		switch pt := pv.(type) {
		case map[string]any:
			if !exists {
				base[k] = deepCopy(pt)
				p.note(km, kp, true)
				continue
			}
			bm, ok := bv.(map[string]any)
			if !ok {
				p.problem(kp, "cannot patch a table onto a "+strings.TrimPrefix(strings.TrimPrefix(tomlType(bv), "a "), "an ")+" value")
				continue
			}
			p.note(km, kp, false)
			p.apply(bm, pt, kp, km)
		default:
			pel, isTables := namedTables(pv)
			if !isTables {
				base[k] = deepCopy(pv)
				p.note(km, kp, true)
				continue
			}
			bel, _ := namedTables(bv)
			if exists && bel == nil {
				if _, isArr := bv.([]any); !isArr {
					if _, isArr2 := bv.([]map[string]any); !isArr2 {
						p.problem(kp, "cannot patch an array of tables onto a "+tomlType(bv)+" value")
						continue
					}
				}
			}
			byName := make(map[string]int, len(bel))
			for i, be := range bel {
				n, _ := be["name"].(string)
				byName[n] = i // the last of equal names, as before
			}
			for i, pe := range pel {
				ep := fmt.Sprintf("%s[%d]", kp, i)
				name, _ := pe["name"].(string)
				isNew, _ := pe["new"].(bool)
				j, found := byName[name]
				switch {
				case found && isNew:
					p.problem(ep+".new", fmt.Sprintf("%q already exists; drop new = true to change it", name))
				case found:
					pc := deepCopy(pe).(map[string]any)
					delete(pc, "new")
					em := fmt.Sprintf("%s[%d]", km, j)
					p.note(em, ep, false)
					p.apply(bel[j], pc, ep, em)
				case isNew:
					pc := deepCopy(pe).(map[string]any)
					delete(pc, "new")
					byName[name] = len(bel)
					p.note(fmt.Sprintf("%s[%d]", km, len(bel)), ep, true)
					bel = append(bel, pc)
				default:
					p.problem(ep+".name", fmt.Sprintf("no %s named %q to patch%s (add new = true to add one)", strings.TrimSuffix(k, "s"), name, suggestFrom(&reader{}, name, byName)))
				}
			}
			out := make([]any, len(bel))
			for i, e := range bel {
				out[i] = e
			}
			base[k] = out
		}
	}
}

// place returns where the patch sets the merged key path: the patch's own
// path for it, and true when that path is in the patch (the problem is in
// what the patch wrote); else the patch path of the nearest enclosing
// table or element the patch merges into, and false; else "", false.
func (o patchOrigins) place(merged string) (string, bool) {
	for p := merged; p != ""; {
		if src, ok := o[p]; ok {
			if src.whole {
				return src.path + merged[len(p):], true
			}
			return src.path, p == merged
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return "", false
}

// namedTables returns v's elements if v is an array of tables each with a
// string "name".
func namedTables(v any) ([]map[string]any, bool) {
	var elems []map[string]any
	switch a := v.(type) {
	case []map[string]any:
		elems = a
	case []any:
		for _, e := range a {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			elems = append(elems, m)
		}
	default:
		return nil, false
	}
	if len(elems) == 0 {
		return nil, false
	}
	for _, m := range elems {
		if _, ok := m["name"].(string); !ok {
			return nil, false
		}
	}
	return elems, true
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
