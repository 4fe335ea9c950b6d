package model

import (
	"errors"
	"sort"
	"strings"
)

// checkPatch validates the scenario that investment iv's patch (at path)
// makes, reporting each problem where the patch causes it: at the patch's
// own key path and line when the patch wrote the offending value
// (investments[0].patch.services[1].servers), else at the table or element
// of the patch that leads to it, naming the merged scenario's key path in
// the message, else at the patch itself.
func (sc *Scenario) checkPatch(r *reader, path string, iv Investment) {
	base := sc.rawWithoutInvestments()
	var problems []string
	p := patcher{problems: &problems, origin: patchOrigins{}}
	p.apply(base, iv.patch, path, "")
	for _, pr := range problems {
		at, msg, _ := strings.Cut(pr, "\x00")
		r.errf(at, "%s", msg)
	}
	if len(problems) > 0 {
		return
	}
	_, err := build(sc.File, sc.Source, base, sc.lines)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return
	}
	// A problem of the scenario itself, which every patched scenario
	// inherits, is reported once, where it stands, not once per patch.
	own := make(map[[2]string]bool, len(r.issues))
	for _, is := range r.issues {
		own[[2]string{is.Path, is.Msg}] = true
	}
	for _, is := range ve.Issues {
		at, inPatch := p.origin.place(is.Path)
		if !inPatch && own[[2]string{is.Path, is.Msg}] {
			continue
		}
		switch {
		case inPatch:
			r.errf(at, "investment %q makes the scenario invalid: %s", iv.Name, is.Msg)
		case at != "":
			r.errf(at, "investment %q makes the scenario invalid: %s: %s", iv.Name, is.Path, is.Msg)
		default:
			r.errf(path, "investment %q makes the scenario invalid: %s: %s", iv.Name, is.Path, is.Msg)
		}
	}
	r.more += ve.More
}

// maxPatchWork bounds the work of checking investment patches: each
// patched scenario is validated whole, so the investments with a patch
// times the keys and array elements of the scenario may be at most this
// (2,000 elements of scenario allow 1,000 patched investments; 100,000
// allow 20), which keeps any file's validation within seconds.
const maxPatchWork = 2_000_000

// maxInvestments bounds [[investments]]: each is validated, and compare
// evaluates them and their portfolios; a real study weighs a handful.
const maxInvestments = 1000

// patchesFit reports whether the investments' patches can be checked
// within maxPatchWork, reporting the problem if not.
func (sc *Scenario) patchesFit(r *reader) bool {
	if sc.raw == nil {
		return true
	}
	invs, _ := sc.raw["investments"].([]map[string]any)
	if len(invs) > maxInvestments {
		r.errf("investments", "%d investments; at most %d (dcsim compare weighs them against each other)", len(invs), maxInvestments)
		return false
	}
	patched := 0
	for _, iv := range invs {
		if _, ok := iv["patch"]; ok {
			patched++
		}
	}
	if patched == 0 {
		return true
	}
	size := 0
	for k, v := range sc.raw {
		if k != "investments" {
			size += 1 + countEntries(v)
		}
	}
	size += 10 * sc.groupExtra() // a group's member costs what a service of ten keys does
	if patched*size <= maxPatchWork {
		return true
	}
	r.errf("investments", "%d investments have a patch, and each patched scenario is checked whole: with %d keys and array elements outside [[investments]], at most %d may (patched investments × keys and elements ≤ %d)",
		patched, size, maxPatchWork/size, maxPatchWork)
	return false
}

// countEntries counts the keys and array elements inside v.
func countEntries(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			n += 1 + countEntries(e)
		}
	case []map[string]any:
		for _, e := range x {
			n += 1 + countEntries(e)
		}
	case []any:
		for _, e := range x {
			n += 1 + countEntries(e)
		}
	}
	return n
}

// rawWithoutInvestments is a deep copy of the decoded scenario without
// [[investments]]: copying them too, for each investment, made checking n
// patches cost n² (1,000 took 4 s).
func (sc *Scenario) rawWithoutInvestments() map[string]any {
	out := make(map[string]any, len(sc.raw))
	for k, v := range sc.raw {
		if k != "investments" {
			out[k] = deepCopy(v)
		}
	}
	return out
}

// relocate moves the issues of err, a problem in a patched scenario, to
// where the patches cause them (see checkPatch); other errors pass as
// they are.
func (o patchOrigins) relocate(err error, lines lineIndex) error {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &ValidationError{More: ve.More}
	for _, is := range ve.Issues {
		if at, inPatch := o.place(is.Path); at != "" {
			if !inPatch {
				is.Msg = is.Path + ": " + is.Msg
			}
			is.Path, is.Line = at, lines.line(at)
		}
		out.Issues = append(out.Issues, is)
	}
	sort.SliceStable(out.Issues, func(i, j int) bool { return out.Issues[i].Line < out.Issues[j].Line })
	return out
}
