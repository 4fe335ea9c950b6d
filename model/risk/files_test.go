package risk

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFiles(t *testing.T) {
	cfg := twoVariants(Auto, 4000, 2, 1.5, 0.005)
	tabs, d, err := Run(context.Background(), cfg, twoTypesSim)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteFiles(dir, "dcsim test", "two-types", 2, d, cfg.Incidents, tabs, true, true); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"risk.json", "ylt.csv", "aep.png", "aep.svg", "oep.png", "oep.svg"} {
		if fi, err := os.Stat(filepath.Join(dir, n)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", n, err)
		}
	}
	fh, err := os.Open(filepath.Join(dir, "risk.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := ReadFile(fh)
	if err != nil {
		t.Fatal(err)
	}
	if f.Method != "importance" && f.Method != "conditional" {
		t.Errorf("method %q", f.Method)
	}
	if len(f.Variants) != 2 || f.Years != 4000 || !f.Complete || len(f.Incidents) != 2 {
		t.Fatalf("risk.json: %d variants, %d years, complete %v, %d incidents", len(f.Variants), f.Years, f.Complete, len(f.Incidents))
	}
	want := tabs[1].Summarize(2)
	got := f.Variants[1]
	if got.AAL != want.AAL || len(got.AEP) != len(ReturnPeriods) || got.AEP[5] != want.AEP[5] || got.TVaR[0] != want.TVaR[0] {
		t.Errorf("risk.json option: AAL %+v AEP100 %+v; want %+v %+v", got.AAL, got.AEP[5], want.AAL, want.AEP[5])
	}
	if got.Service[0].Name != "s" || float64(got.Service[0].Nines) <= 0 {
		t.Errorf("service row %+v", got.Service[0])
	}
}
