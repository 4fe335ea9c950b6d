package model

import (
	"strings"
	"testing"

	"github.com/dcsim/dcsim/sim"
)

// TestCutOffIsExact checks that re-evaluating only the services whose
// inputs changed leaves no service stale: after every event, each
// service's peak serving fraction and health are what evaluating it afresh
// from the state then gives. Under recovered = "capacity" a service's
// health depends on its dependencies' health, which can change while
// their serving fraction does not, and a background failure that leaves
// its serving fraction whole can still cost it its health. Each scenario
// runs as shipped and with failures 300 times as frequent.
func TestCutOffIsExact(t *testing.T) {
	for _, name := range []string{"example", "kakao-2022", "naver-2022", "example ×300", "kakao-2022 ×300", "naver-2022 ×300", "services-100"} {
		for _, rec := range []string{RecoveredPeakDemand, RecoveredCapacity} {
			var sc *Scenario
			var err error
			if name == "services-100" {
				// The BenchmarkServices family: deep dependency fan-out,
				// many services that serve nothing of their own for hours.
				if sc, err = Parse(name+".toml", []byte(servicesScenario(100))); err != nil {
					t.Fatal(err)
				}
			} else if base, ok := strings.CutSuffix(name, " ×300"); ok {
				sc = frequentFailures(t, base)
			} else if sc, err = Load("../scenarios/" + name + ".toml"); err != nil {
				t.Fatal(err)
			}
			sc.Recovered = rec
			m := Compile(sc)
			r := NewReplication(m)
			sv := &r.svc
			for rep := 0; rep < 20; rep++ {
				r.Start(sc.Seed, rep)
				eng := r.Engine()
				for n := 0; !eng.Stopped() && eng.Peek() <= sim.Time(sc.Horizon) && eng.Step(); n++ {
					for s := range m.nSvc {
						avail := sv.available(s)
						f := sv.ownFraction(s, avail, 1)
						for _, d := range m.svc[s].deps {
							f *= sv.hot[d].fPeak
						}
						if f != sv.hot[s].fPeak {
							t.Fatalf("%s (%s) rep %d event %d at %.3fh: %s serves %v at peak, evaluated afresh %v",
								name, rec, rep, n, eng.Now(), sc.Services[s].Name, sv.hot[s].fPeak, f)
						}
						if h := sv.health(s, f, avail); h != sv.hot[s].healthy {
							t.Fatalf("%s (%s) rep %d event %d at %.3fh: %s healthy = %v, evaluated afresh %v",
								name, rec, rep, n, eng.Now(), sc.Services[s].Name, sv.hot[s].healthy, h)
						}
					}
				}
			}
		}
	}
}
