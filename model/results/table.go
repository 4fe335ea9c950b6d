package results

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the human-readable table of variant v of s to w: a
// heading with the scenario, variant and replication count, one line per
// service with the median (P50) and P90 time to recover, the mean
// user-hours lost with its 95% confidence interval and the mean outage
// hours, an "all services" line (time until every service recovered and
// total user-hours lost), then the whole-fleet money and data lines. A
// service group's members are left out of the service lines: the group
// has a line of its own, with the mean time until 50%, 90% and all of its
// members are back and its 95% confidence interval.
//
//	kakao-2022 · variant baseline · 1000 replications
//	service       recover P50 h  recover P90 h  user-hours lost, mean [95% CI]  outage h, mean
//	kakaotalk     20.1           31.4           1,234,000 [1,201,000, 1,267,000]  6.02
//	…
//	all services  127            190            5,678,000 [5,600,000, 5,756,000]
//	loss, mean [95% CI]: 12,300,000 [12,000,000, 12,600,000]
func WriteTable(w io.Writer, s *Summary, v int) error {
	if v < 0 || v >= len(s.Variants) {
		return fmt.Errorf("results: variant index %d out of range [0, %d)", v, len(s.Variants))
	}
	vs := &s.Variants[v]
	n := vs.Overall["all_services_recovered_h"].N
	if n == 0 && len(vs.Services) > 0 {
		n = vs.Services[0].Metrics["time_to_recover_h"].N
	}
	reps := "replications"
	if n == 1 {
		reps = "replication"
	}
	if _, err := fmt.Fprintf(w, "%s · variant %s · %d %s\n", s.Scenario, vs.Name, n, reps); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "service\trecover P50 h\trecover P90 h\tuser-hours lost, mean [95% CI]\toutage h, mean")
	member := map[string]bool{}
	for _, g := range vs.Groups {
		for _, m := range g.Members {
			member[m] = true
		}
	}
	for _, svc := range vs.Services {
		if member[svc.Name] {
			continue // reported with its group below
		}
		ttr, uh, out := svc.Metrics.get("time_to_recover_h"), svc.Metrics.get("user_hours_lost"), svc.Metrics.get("outage_h")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", svc.Name, fmtNum(ttr.P50), fmtNum(ttr.P90), meanCI(uh), fmtNum(out.Mean))
	}
	all, uh := vs.Overall.get("all_services_recovered_h"), vs.Overall.get("user_hours_lost")
	fmt.Fprintf(tw, "all services\t%s\t%s\t%s\n", fmtNum(all.P50), fmtNum(all.P90), meanCI(uh))
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := writeGroupTable(w, vs.Groups); err != nil {
		return err
	}
	var b strings.Builder
	for _, l := range []struct{ label, metric string }{
		{"loss", "loss"},
		{"revenue lost", "revenue_lost"},
		{"hardware cost", "hardware_cost"},
		{"requests lost", "requests_lost"},
		{"data lost s (worst service)", "max_data_lost_s"},
	} {
		if _, ok := vs.Overall[l.metric]; ok {
			fmt.Fprintf(&b, "%s, mean [95%% CI]: %s\n", l.label, meanCI(vs.Overall.get(l.metric)))
		}
	}
	// Data restored or lost for good: only when some replication had any,
	// so runs without data keys print what they always did.
	for _, l := range []struct{ label, metric string }{
		{"data restored from backup TB (all services)", "data_restored_tb"},
		{"data lost for good TB (all services)", "data_lost_tb"},
	} {
		if s, ok := vs.Overall[l.metric]; ok && s.Mean > 0 {
			fmt.Fprintf(&b, "%s, mean [95%% CI]: %s\n", l.label, meanCI(s))
		}
	}
	for _, svc := range vs.Services {
		if p, ok := svc.Metrics["data_lost_for_good"]; ok && p.Mean > 0 {
			fmt.Fprintf(&b, "%s: data lost for good in %s of %d replications [95%% CI %s, %s]\n", svc.Name, fmtNum(p.Mean), p.N, fmtNum(p.CI95[0]), fmtNum(p.CI95[1]))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// meanCI formats "mean [lo, hi]".
func meanCI(s Stat) string {
	return fmt.Sprintf("%s [%s, %s]", fmtNum(s.Mean), fmtNum(s.CI95[0]), fmtNum(s.CI95[1]))
}

// fmtNum formats x for people: whole numbers from 100 up, with thousands
// separators; three significant digits below; "-" for NaN.
func fmtNum(x float64) string {
	switch {
	case math.IsNaN(x):
		return "-"
	case math.IsInf(x, 0):
		return strconv.FormatFloat(x, 'f', -1, 64)
	case math.Abs(x) >= 1e15:
		return strconv.FormatFloat(x, 'e', 3, 64)
	case math.Abs(x) >= 99.5:
		return groupThousands(int64(math.Round(x)))
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// writeGroupTable writes one line per service group: its size, the mean
// members impaired, and the mean [95% CI] and P90 of the hours until 50%,
// 90% and all members are back.
func writeGroupTable(w io.Writer, gs []GroupSummary) error {
	if len(gs) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "group	members	impaired, mean	50% back h, mean [95% CI]	90% back h, mean [95% CI]	all back h, mean [95% CI]	all back P90 h")
	for _, g := range gs {
		all := g.Metrics.get("recovered_100_h")
		fmt.Fprintf(tw, "%s	%d	%s	%s	%s	%s	%s\n", g.Name, len(g.Members), fmtNum(g.Metrics.get("members_impaired").Mean),
			meanCI(g.Metrics.get("recovered_50_h")), meanCI(g.Metrics.get("recovered_90_h")), meanCI(all), fmtNum(all.P90))
	}
	return tw.Flush()
}
