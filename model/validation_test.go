package model

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dcsim/dcsim/model/results"
)

// The validation set (docs/incidents.md): real incidents other than the
// one dcsim was first built on, written from public reporting with the
// calibrated parameters named in each scenario's header. Each test checks
// the reported milestones against the simulated P10–P90 band.

func validationRuns(t *testing.T, file string, reps int, each func(r *Replication, o *results.Outcome)) *Scenario {
	t.Helper()
	sc, err := Load(filepath.Join("..", "scenarios", "validation", file))
	if err != nil {
		t.Fatal(err)
	}
	r := NewReplication(Compile(sc))
	var o results.Outcome
	for k := 0; k < reps; k++ {
		r.Run(sc.Seed, k, &o)
		each(r, &o)
	}
	return sc
}

func pct(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

// burnCounter counts the domains of one building that burn.
type burnCounter struct {
	prefix string
	n      int
}

func (b *burnCounter) Event(_ float64, kind, subject, _ string) {
	if kind == "burn" && strings.Contains(subject, "/"+b.prefix) {
		b.n++
	}
}
func (b *burnCounter) Serving(float64, []float64) {}

// OVHcloud Strasbourg, 10 March 2021: SBG3 (undamaged) is back in the
// reported 9–12 days; the customers of SBG2 (destroyed, not rebuilt) never
// come back on the campus, those with off-site backups come back
// elsewhere; when the fire reaches SBG1, about 4 of its 12 rooms burn
// [DCD].
func TestValidationOVHStrasbourg2021(t *testing.T) {
	const reps = 300
	var sbg3, sbg1Rooms, elsewhere []float64
	sbg2Back, dataLost := 0, 0
	bc := &burnCounter{prefix: "sbg1-"}
	sc := validationRuns(t, "ovh-sbg-2021.toml", reps, func(r *Replication, o *results.Outcome) {
		sbg3 = append(sbg3, o.Services[3].TimeToRecoverH)
		elsewhere = append(elsewhere, o.Services[1].TimeToRecoverH)
		if o.Services[0].TimeToRecoverH < 720 {
			sbg2Back++
		}
		dataLost += int(o.Services[4].DataLostForGood) // sbg2-no-offsite-backup
	})
	// SBG2's customers without an off-site backup lose their data for good
	// in (nearly) every replication [C7]: their one copy is lost with the
	// share of SBG2's servers destroyed (destroyed_fraction 0.8–1 on every
	// floor the fire reaches).
	t.Logf("SBG2 data without an off-site backup lost for good in %d of %d replications", dataLost, reps)
	if dataLost < reps*8/10 {
		t.Errorf("SBG2's customers without an off-site backup lost their data for good in only %d of %d replications", dataLost, reps)
	}
	// Rooms of SBG1 burned, traced in separate runs of the same replications.
	m := Compile(sc)
	r := NewReplication(m)
	r.SetTracer(bc)
	var o results.Outcome
	for k := 0; k < 100; k++ {
		bc.n = 0
		r.Run(sc.Seed, k, &o)
		if bc.n > 0 {
			sbg1Rooms = append(sbg1Rooms, float64(bc.n))
		}
	}
	p10, p50, p90 := pct(sbg3, 0.1), pct(sbg3, 0.5), pct(sbg3, 0.9)
	t.Logf("SBG3 back after P10 %.0f h, P50 %.0f h, P90 %.0f h (reported 216–288 h)", p10, p50, p90)
	if mid := 10.5 * 24; !(p10 <= mid && mid <= p90) {
		t.Errorf("SBG3's reported 9–12 days (mid %.0f h) outside the simulated P10–P90 [%.0f, %.0f] h", mid, p10, p90)
	}
	if sbg2Back > reps/100 {
		t.Errorf("SBG2's customers came back on the campus in %d of %d replications; SBG2 was not rebuilt", sbg2Back, reps)
	}
	// Customers with off-site backups come back elsewhere once replacement
	// servers are built and their data restored: within the month in most
	// replications, and not before the first replacement servers.
	if e50 := pct(elsewhere, 0.5); !(e50 > 3*24 && e50 < 30*24) {
		t.Errorf("customers with off-site backups back elsewhere after a median %.0f h; want between 3 and 30 days", e50)
	}
	t.Logf("SBG2 customers with off-site backups back elsewhere: P10 %.0f h, P50 %.0f h, P90 %.0f h", pct(elsewhere, 0.1), pct(elsewhere, 0.5), pct(elsewhere, 0.9))
	if len(sbg1Rooms) < 50 {
		t.Fatalf("the fire reached SBG1 in only %d of 100 replications", len(sbg1Rooms))
	}
	lo, mid, hi := pct(sbg1Rooms, 0.1), pct(sbg1Rooms, 0.5), pct(sbg1Rooms, 0.9)
	t.Logf("SBG1 rooms burned when reached: P10 %.0f, P50 %.0f, P90 %.0f (reported 4 of 12)", lo, mid, hi)
	if !(lo <= 4 && hi >= 4) {
		t.Errorf("4 of SBG1's rooms outside the simulated P10–P90 [%.0f, %.0f]", lo, hi)
	}
}

// AWS us-east-1 USE1-AZ4, 22 December 2021: the vast majority of EC2
// capacity back about 10 h after the start [AWS] lies inside the simulated
// P10–P90; a small fraction of the hardware is lost for good.
func TestValidationAWSUSE1AZ4(t *testing.T) {
	const reps = 300
	var ttr, lost []float64
	sc := validationRuns(t, "aws-use1-az4-2021.toml", reps, func(r *Replication, o *results.Outcome) {
		ttr = append(ttr, o.Services[1].TimeToRecoverH)
		lost = append(lost, o.HardwareCost)
	})
	servers := float64(Compile(sc).Servers())
	cost := sc.Sites[0].ServerCost
	p10, p50, p90 := pct(ttr, 0.1), pct(ttr, 0.5), pct(ttr, 0.9)
	const reported = 14.5 - 4.0 - 35.0/60 // 04:35 → 14:30 PST
	t.Logf("EC2 back after P10 %.1f h, P50 %.1f h, P90 %.1f h (reported %.1f h)", p10, p50, p90, reported)
	if !(p10 <= reported && reported <= p90) {
		t.Errorf("the reported %.1f h outside the simulated P10–P90 [%.1f, %.1f]", reported, p10, p90)
	}
	for k, c := range lost {
		f := c / cost / servers
		if !(f > 0 && f < 0.05) || math.IsNaN(f) {
			t.Fatalf("replication %d lost %.3g of the hardware for good; want a small fraction", k, f)
		}
	}
}
