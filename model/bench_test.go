package model

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dcsim/dcsim/model/results"
	"github.com/dcsim/dcsim/sim"
)

// Benchmarks of the kakao-2022 incident scenario against the targets in
// DESIGN.md (10,000 replications in seconds on 2 cores, 2 workers ≥ 1.8×
// one, a 10× larger fleet < 2× the time). Run them with
//
//	go test -run '^$' -bench 'Kakao|FleetScale' -benchmem -count 5 ./model

func loadKakaoB(b *testing.B) *Scenario {
	b.Helper()
	sc, err := Load("../scenarios/kakao-2022.toml")
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

// BenchmarkKakao measures one replication (one op) through a reused
// Replication, as each Simulate worker runs them.
func BenchmarkKakao(b *testing.B) { benchReplications(b, loadKakaoB(b)) }

// benchReplications runs replications of sc through one reused
// Replication, one per op, and reports replications per second, events per
// replication, and CPU time per replication and per event (the thread's
// own CPU time: steady on a shared machine where wall time is not).
func benchReplications(b *testing.B, sc *Scenario) { benchReplicationsWith(b, sc, Policy{}) }

func benchReplicationsWith(b *testing.B, sc *Scenario, pol Policy) {
	r := NewReplication(Compile(sc))
	r.SetPolicy(pol)
	var out results.Outcome
	var events uint64
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	rep := 0
	cpu0 := threadCPU()
	for b.Loop() {
		r.Run(sc.Seed, rep, &out)
		events += r.events()
		rep++
	}
	cpu := threadCPU() - cpu0
	b.ReportMetric(float64(rep)/b.Elapsed().Seconds(), "reps/s")
	b.ReportMetric(float64(events)/float64(rep), "events/rep")
	b.ReportMetric(float64(cpu.Microseconds())/float64(rep), "cpu-µs/rep")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(events), "cpu-ns/event")
}

// BenchmarkKakaoWorkers runs 2,000 replications per op through Simulate
// with 1 and 2 workers, so the speed-up of the second core can be read
// from reps/s.
func BenchmarkKakaoWorkers(b *testing.B) {
	const reps = 2000
	m := Compile(loadKakaoB(b))
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			b.ReportAllocs()
			ops := 0
			for b.Loop() {
				sink := 0.0
				res := Simulate(context.Background(), []*Model{m}, sim.RunConfig{Seed: m.Sc.Seed, To: reps, Workers: w},
					func(_ int, o []results.Outcome) { sink += o[0].AllServicesRecoveredH })
				if !res.Complete || sink == 0 {
					b.Fatal("incomplete run")
				}
				ops++
			}
			b.ReportMetric(float64(ops*reps)/b.Elapsed().Seconds(), "reps/s")
		})
	}
}

// scaleFleet multiplies every domain's and every service's servers by f,
// keeping each service's placement inside its site (placements round
// down, domains up) and at least one server wherever there was one. Boot
// throughput scales too — an operator with ten times the servers has ten
// times the hands — so the incident runs the same course in hours and the
// benchmark measures computational cost, not a slower recovery.
func scaleFleet(sc *Scenario, f float64) {
	for i := range sc.Sites {
		sc.Sites[i].BootRate *= f
		for j := range sc.Sites[i].Domains {
			d := &sc.Sites[i].Domains[j]
			d.Servers = max(1, int(math.Ceil(float64(d.Servers)*f)))
		}
	}
	for i := range sc.Services {
		s := &sc.Services[i]
		s.Servers = 0
		for k := range s.Placement {
			p := &s.Placement[k]
			p.Servers = max(1, int(math.Floor(float64(p.Servers)*f)))
			s.Servers += p.Servers
		}
	}
}

// BenchmarkFleetScale runs kakao-2022 with its fleet (107,000 servers)
// scaled to 10k, 100k and 1M servers. State is held per group, so the cost
// of a replication should grow with the events it handles (independent
// failures grow with the fleet), not with the servers.
func BenchmarkFleetScale(b *testing.B) { benchFleetScale(b, Policy{}) }

// BenchmarkFleetScaleNoBackground is BenchmarkFleetScale without the
// independent server, rack and PDU failures, whose number necessarily
// grows with the fleet: what remains is the incident itself, whose events
// should not grow with servers at all.
func BenchmarkFleetScaleNoBackground(b *testing.B) { benchFleetScale(b, Policy{NoBackground: true}) }

func benchFleetScale(b *testing.B, pol Policy) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("servers=%s", shortCount(n)), func(b *testing.B) {
			sc := loadKakaoB(b)
			m0 := Compile(sc)
			scaleFleet(sc, float64(n)/float64(m0.Servers()))
			b.ReportMetric(float64(Compile(sc).Servers()), "servers")
			benchReplicationsWith(b, sc, pol)
		})
	}
}

func shortCount(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// TestScaleFleet checks the benchmark's scaling keeps placements inside
// their sites, so that the scaled scenarios are ones Load would accept.
func TestScaleFleet(t *testing.T) {
	for _, n := range []int{10_000, 1_000_000} {
		sc, err := Load("../scenarios/kakao-2022.toml")
		if err != nil {
			t.Fatal(err)
		}
		scaleFleet(sc, float64(n)/float64(Compile(sc).Servers()))
		used := make([]int, len(sc.Sites))
		for _, s := range sc.Services {
			sum := 0
			for _, p := range s.Placement {
				used[p.Site] += p.Servers
				sum += p.Servers
			}
			if sum != s.Servers {
				t.Errorf("n=%d: %s places %d of %d servers", n, s.Name, sum, s.Servers)
			}
		}
		total := 0
		for i, site := range sc.Sites {
			have := 0
			for _, d := range site.Domains {
				have += d.Servers
			}
			total += have
			if used[i] > have {
				t.Errorf("n=%d: site %s holds %d servers but services place %d", n, site.Name, have, used[i])
			}
		}
		if r := float64(total) / float64(n); r < 0.99 || r > 1.01 {
			t.Errorf("n=%d: scaled fleet has %d servers", n, total)
		}
	}
}

// servicesScenario writes a scenario of n services over three sites of
// eight power domains each, for measuring how a replication's cost grows
// with the number of services. The services form three tiers, as
// microservice fleets do: infrastructure (the first 5%: storage, auth,
// control plane; no dependencies; every tenth a control-plane service),
// platform (the next 20%, each on two infrastructure services) and
// applications (the rest, each on two platform services and one
// infrastructure service), so the dependency graph is wide and three deep.
// Modes cycle through single-site, active-standby and active-active; each
// service holds 40 servers; active-standby services fail over through an
// infrastructure controller. A battery fire burns a domain of the first
// site, which loses power entirely.
func servicesScenario(n int) string {
	var b strings.Builder
	per := (n*40)/8 + 200 // servers per domain: room for every service at one site
	fmt.Fprintf(&b, "name = \"services-%d\"\nseed = 1\nhorizon = \"7d\"\n\n", n)
	b.WriteString("[incident]\nhazard = \"battery_fire\"\nsite = \"s0\"\ndomain = \"d0\"\nstart = 2024-03-09T15:00:00+09:00\n\n")
	b.WriteString("[operations]\nops_tools = [\"svc0\"]\nrestore_crews = 8\n\n")
	for p := 0; p < 3; p++ {
		fmt.Fprintf(&b, "[[sites]]\nname = \"s%d\"\nboot_rate = \"2000/h\"\ncrews = 4\n", p)
		b.WriteString("[sites.fire]\nspread_probability = 0.3\n")
		for d := 0; d < 8; d++ {
			fmt.Fprintf(&b, "[[sites.domains]]\nname = \"d%d\"\nservers = %d\nneighbours = [\"d%d\"]\n", d, per, (d+1)%8)
		}
		b.WriteString("\n")
	}
	infra := max(1, n/20)
	platform := max(1, n/5)
	modes := []string{"single-site", "active-standby", "active-active"}
	for s := 0; s < n; s++ {
		mode := modes[s%3]
		home, other := s%3, (s+1)%3
		kind := "user"
		var deps []int
		switch {
		case s < infra:
			if s%10 == 0 {
				kind = "control"
			}
		case s < infra+platform:
			deps = []int{s % infra, (s*7 + 3) % infra}
		default:
			deps = []int{infra + s%platform, infra + (s*13+5)%platform, s % infra}
		}
		fmt.Fprintf(&b, "[[services]]\nname = \"svc%d\"\nkind = %q\npriority = %d\nmode = %q\nservers = 40\n", s, kind, s%50, mode)
		if mode == "single-site" {
			fmt.Fprintf(&b, "placement = [{ site = \"s%d\", share = 1.0 }]\n", home)
		} else {
			fmt.Fprintf(&b, "placement = [{ site = \"s%d\", share = 0.5 }, { site = \"s%d\", share = 0.5 }]\n", home, other)
		}
		var names []string
		for _, d := range deps {
			if d != s && !slices.Contains(names, fmt.Sprintf("\"svc%d\"", d)) {
				names = append(names, fmt.Sprintf("\"svc%d\"", d))
			}
		}
		fmt.Fprintf(&b, "depends_on = [%s]\n", strings.Join(names, ", "))
		if mode == "active-standby" && s >= infra {
			fmt.Fprintf(&b, "failover_requires = [\"svc%d\"]\n", (s%infra)/10*10)
		}
		fmt.Fprintf(&b, "peak_users = %d\nprofile = %q\n\n", 1000+s, []string{"flat", "consumer", "business"}[s%3])
	}
	return b.String()
}

// BenchmarkServices measures one replication of the generated scenario at
// 10, 100 and 1,000 services: with cost that follows what changed, the
// per-replication cost grows linearly with the services, not with their
// square.
func BenchmarkServices(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			sc, err := Parse(fmt.Sprintf("services-%d.toml", n), []byte(servicesScenario(n)))
			if err != nil {
				b.Fatal(err)
			}
			benchReplications(b, sc)
		})
	}
}

// BenchmarkServicesRatio measures the 1,000-service target itself: the
// per-replication cost at 1,000 services against that at 10, in one run.
// Each op is one 1,000-service replication and tenPerOp 10-service ones,
// each block timed in the thread's CPU time, so that the two sizes
// alternate every few milliseconds and share whatever the machine's other
// jobs do to the core meanwhile: separate runs of BenchmarkServices move
// by ±20% from one second to the next on a shared virtual machine, which
// is more than the margin the target leaves. It reports the ratio of the
// mean costs per replication (the target: ≤ 100) and, for context, of the
// events.
//
//	go test -run '^$' -bench ServicesRatio -benchtime 3000x -count 5 ./model
func BenchmarkServicesRatio(b *testing.B) {
	const tenPerOp = 100
	var reps [2]*Replication
	var seeds [2]uint64
	for i, n := range []int{10, 1000} {
		sc, err := Parse(fmt.Sprintf("services-%d.toml", n), []byte(servicesScenario(n)))
		if err != nil {
			b.Fatal(err)
		}
		reps[i], seeds[i] = NewReplication(Compile(sc)), sc.Seed
	}
	var out results.Outcome
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	var cpu [2]time.Duration
	var events [2]uint64
	op, ten := 0, 0
	for b.Loop() {
		t0 := threadCPU()
		reps[1].Run(seeds[1], op, &out)
		t1 := threadCPU()
		events[1] += reps[1].events()
		for range tenPerOp {
			reps[0].Run(seeds[0], ten, &out)
			events[0] += reps[0].events()
			ten++
		}
		t2 := threadCPU()
		cpu[1] += t1 - t0
		cpu[0] += t2 - t1
		op++
	}
	per10 := float64(cpu[0]) / float64(ten)
	per1000 := float64(cpu[1]) / float64(op)
	b.ReportMetric(per10/1e3, "cpu-µs/rep-10")
	b.ReportMetric(per1000/1e3, "cpu-µs/rep-1000")
	b.ReportMetric(per1000/per10, "x-10")
	b.ReportMetric(float64(events[1])/float64(op)/(float64(events[0])/float64(ten)), "events-x-10")
}

var servicesOut = flag.String("services-out", "", "write the BenchmarkServices scenarios to this directory (for measuring dcsim run on them)")

// TestServicesScenarios checks that the generated service family validates
// and has the shape BenchmarkServices describes; with -services-out DIR it
// also writes services-N.toml files there, so that the whole command can be
// measured on them:
//
//	go test ./model -run TestServicesScenarios -services-out /tmp/svc
//	/usr/bin/time -v dcsim run /tmp/svc/services-1000.toml -n 1000 --no-plots
func TestServicesScenarios(t *testing.T) {
	for _, n := range []int{10, 100, 1000} {
		src := servicesScenario(n)
		sc, err := Parse(fmt.Sprintf("services-%d.toml", n), []byte(src))
		if err != nil {
			t.Fatalf("%d services: %v", n, err)
		}
		if len(sc.Services) != n {
			t.Errorf("%d services generated, want %d", len(sc.Services), n)
		}
		depth := make([]int, n)
		maxDepth := 0
		for _, s := range sc.Order {
			for _, d := range sc.Services[s].DependsOn {
				depth[s] = max(depth[s], depth[d]+1)
			}
			maxDepth = max(maxDepth, depth[s])
		}
		if maxDepth > 2 {
			t.Errorf("%d services: dependency depth %d, want at most 2 (three tiers)", n, maxDepth)
		}
		if *servicesOut != "" {
			if err := os.WriteFile(filepath.Join(*servicesOut, fmt.Sprintf("services-%d.toml", n)), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// holdHandler is the classic hold model (sim's BenchmarkHold): each event
// schedules one more at now + Exp(1), so the queue keeps its size.
type holdHandler struct{ r *rand.Rand }

func (h *holdHandler) Handle(e *sim.Engine, ev sim.Event) {
	e.Schedule(ev.Time+sim.Time(h.r.ExpFloat64()), ev.Kind, ev.A, ev.B)
}

// BenchmarkModelVsHold measures, interleaved in one run, the cost per event
// of a kakao-2022 replication and of the engine's hold model with 1,000
// pending events, and reports their ratios: model-x-hold, the whole
// replication per event (engine dispatch included) against a hold-model
// event, and work-x-hold, the model's own work per event — the
// replication's cost less one hold-model event — against a hold-model
// event. Each op is one replication and as many hold steps as it had
// events.
//
//	go test -run '^$' -bench ModelVsHold -count 5 ./model
func BenchmarkModelVsHold(b *testing.B) {
	sc := loadKakaoB(b)
	r := NewReplication(Compile(sc))
	var out results.Outcome
	h := &holdHandler{r: rand.New(rand.NewPCG(1, 2))}
	e := sim.NewEngine(h)
	for i := range 1000 {
		e.Schedule(sim.Time(h.r.ExpFloat64()), 0, int32(i), 0)
	}
	for range 1000 {
		e.Step()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var modelCPU, holdCPU time.Duration
	var events uint64
	rep := 0
	b.ReportAllocs()
	for b.Loop() {
		t0 := threadCPU()
		r.Run(sc.Seed, rep, &out)
		n := r.events()
		t1 := threadCPU()
		for range n {
			e.Step()
		}
		t2 := threadCPU()
		modelCPU += t1 - t0
		holdCPU += t2 - t1
		events += n
		rep++
	}
	b.ReportMetric(float64(modelCPU.Nanoseconds())/float64(events), "model-ns/event")
	b.ReportMetric(float64(holdCPU.Nanoseconds())/float64(events), "hold-ns/event")
	b.ReportMetric(float64(modelCPU)/float64(holdCPU), "model-x-hold")
	b.ReportMetric(float64(modelCPU-holdCPU)/float64(holdCPU), "work-x-hold")
}
