package model

import (
	"fmt"
	"math"
	"strings"

	"github.com/dcsim/dcsim/sim"
)

// Comment returns the comment written on the line that defines the TOML
// key path (e.g. "sites[0].fire.extinguish"), where scenarios cite their
// sources, or "" if there is none.
func (sc *Scenario) Comment(path string) string {
	ln, ok := sc.lines.exact(path)
	if !ok {
		return ""
	}
	lines := strings.Split(string(sc.Source), "\n")
	if ln < 1 || ln > len(lines) {
		return ""
	}
	return trailingComment(lines[ln-1])
}

// trailingComment returns the text after a '#' that is not inside quotes.
func trailingComment(line string) string {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return strings.TrimSpace(line[i+1:])
		}
	}
	return ""
}

// Assumption is one parameter a result rests on, with where it came from.
type Assumption struct {
	Parameter, Value, Source string
}

// Assumptions lists the parameters that drive the incident's outcome, each
// with its value and the source comment the scenario gives for it ("scenario
// default" when the key is not set, "not cited" when set without a comment).
func (sc *Scenario) Assumptions() []Assumption {
	var out []Assumption
	add := func(path, param, value string) {
		src := sc.Comment(path)
		if _, set := sc.lines.exact(path); !set {
			src = "dcsim default (scenarios/README.md)"
		} else if src == "" {
			src = "not cited in the scenario"
		}
		out = append(out, Assumption{Parameter: param, Value: value, Source: src})
	}
	in := sc.Incident
	start := "random over the week"
	if !in.RandomStart {
		start = in.Start.Format("Mon 2 Jan 2006 15:04 MST")
	}
	add("incident.start", "incident start", start)
	add("incident.hazard", "hazard", fmt.Sprintf("%s at %s", in.Hazard, sc.Where(&in)))
	if k := hazardKinds[in.Hazard]; k.assumptions != nil {
		k.assumptions(sc, &in, add)
	} else {
		add("incident.duration", "duration of the "+string(in.Hazard), durDist(in.Duration))
	}
	if in.Site >= 0 {
		site := sc.Sites[in.Site]
		sp := fmt.Sprintf("sites[%d]", in.Site)
		add(sp+".repower", "re-energising one domain", durDist(site.Repower))
		add(sp+".boot_rate", "server boot throughput", fmt.Sprintf("%g servers/h × %s crews", site.BootRate, crewsText(site.Crews, site.CrewSchedule)))
	}
	add("operations.drilled", "whole-site drills", fmt.Sprint(sc.Ops.Drilled))
	var tools []string
	for _, j := range sc.Ops.OpsTools {
		tools = append(tools, sc.Services[j].Name)
	}
	add("operations.ops_tools", "ops tooling (manual work ×"+fmt.Sprint(sc.Ops.OpsSlowdown)+" slower while down)", strings.Join(tools, ", "))
	for i, s := range sc.Services {
		e := i
		if sc.svcEntry != nil {
			e = sc.svcEntry[i]
		}
		if s.Group != "" && i > 0 && sc.Services[i-1].Group == s.Group {
			continue // a group's members share their entry: listed once, as the group
		}
		if s.Group != "" {
			s.Name = "group " + s.Group
		}
		sp := fmt.Sprintf("services[%d]", e)
		var sites []string
		for _, p := range s.Placement {
			sites = append(sites, fmt.Sprintf("%s %.0f%%", sc.Sites[p.Site].Name, 100*p.Share))
		}
		v := fmt.Sprintf("%s, %s", s.Mode, strings.Join(sites, " / "))
		if s.Mode == ActiveStandby {
			v += fmt.Sprintf(", %s standby, manual failover %s", s.Standby, durDist(s.FailoverManual))
		}
		path := sp + ".placement"
		if _, ok := sc.lines.exact(sp + ".failover.manual"); ok && s.Mode == ActiveStandby {
			path = sp + ".failover.manual"
		}
		if c := sc.Comment(path); c == "" {
			path = sp + ".mode"
		}
		add(path, s.Name, v)
		if s.Data != nil {
			add(sp+".data_tb", s.Name+" data", dataAssumption(s.Data))
		}
	}
	if sc.hasData() {
		bw := "no shared limit"
		if sc.Ops.RestoreBandwidth > 0 {
			bw = fmt.Sprintf("%g TB/h shared", sc.Ops.RestoreBandwidth)
		}
		add("operations.restore_bandwidth", "restore bandwidth", bw)
	}
	if sc.Economics.ValuePerUserHour > 0 {
		add("economics.value_per_user_hour", "value of a user-hour", fmt.Sprintf("%g %s", sc.Economics.ValuePerUserHour, sc.Currency))
	}
	return out
}

// durDist describes a duration distribution in hours for people.
func durDist(d sim.Dist) string {
	h := func(x float64) string {
		switch {
		case x < 1.0/60:
			return fmt.Sprintf("%.0fs", x*3600)
		case x < 1:
			return fmt.Sprintf("%.0fm", x*60)
		}
		return fmt.Sprintf("%.3gh", x)
	}
	switch d.Kind {
	case sim.Const:
		return h(d.A)
	case sim.Lognormal:
		return fmt.Sprintf("median %s, p95 %s", h(math.Exp(d.A)), h(d.Quantile(0.95)))
	}
	return fmt.Sprintf("median %s (mean %s)", h(d.Quantile(0.5)), h(d.Mean()))
}

// Definitions says what the words of the results mean under sc, for the
// manifest: what counts as recovered, which failovers are automatic, when
// a control-plane service still acts. Each says when it is the default.
func (sc *Scenario) Definitions() map[string]string {
	dflt := func(isDefault bool) string {
		if isDefault {
			return " (the default)"
		}
		return ""
	}
	d := map[string]string{}
	switch sc.Recovered {
	case RecoveredCapacity:
		d["recovered"] = fmt.Sprintf("a service is recovered when the servers serving it are at least %g of those it normally serves with, everything it depends on is recovered and no traffic is lost to a reroute (recovered = %q)", sc.RecoveredThreshold, sc.Recovered)
	default:
		d["recovered"] = fmt.Sprintf("a service is recovered when it serves at least %g of its demand at the weekly peak (recovered = %q, recovered_threshold = %g)%s", sc.RecoveredThreshold, RecoveredPeakDemand, sc.RecoveredThreshold, dflt(sc.RecoveredThreshold == 0.99))
	}
	var auto, manual []string
	for _, s := range sc.Services {
		if s.Mode != ActiveStandby {
			continue
		}
		if s.FailoverAutomatic {
			auto = append(auto, s.Name)
		} else {
			manual = append(manual, s.Name)
		}
	}
	d["failover"] = fmt.Sprintf("automatic only where a service's failover says so (automatic = true, or an auto time): automatic for %v, by hand for %v", auto, manual)
	d["control_plane_threshold"] = fmt.Sprintf("a service in failover_requires still acts while it serves at least %g of its peak%s", sc.Ops.ControlThreshold, dflt(sc.Ops.ControlThreshold == 0.5))
	return d
}
