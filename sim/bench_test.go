package sim_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/dcsim/dcsim/sim"
)

// holdModel is the classic hold benchmark of event-queue literature (Vaucher
// and Duval, 1975; Jones, 1986): the queue holds a constant number of
// pending events, and each operation pops the earliest one and, in its
// handler, schedules one more at
//
//	now + Exp(1)
//
// so the queue size stays fixed while the time distribution of its contents
// settles into the steady state a simulation sees.
type holdModel struct {
	r *rand.Rand
}

func (h *holdModel) Handle(e *sim.Engine, ev sim.Event) {
	e.Schedule(ev.Time+sim.Time(h.r.ExpFloat64()), ev.Kind, ev.A, ev.B)
}

// newHold returns an engine pre-filled with pending events at Exp(1) times
// and warmed up by as many steps, so that its queue is in steady state and
// has reached its working capacity.
func newHold(pending int, seed uint64) *sim.Engine {
	m := &holdModel{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
	e := sim.NewEngine(m)
	for i := range pending {
		e.Schedule(sim.Time(m.r.ExpFloat64()), 0, int32(i), 0)
	}
	for range pending {
		e.Step()
	}
	return e
}

// BenchmarkHold measures dispatch throughput with a fixed number of pending
// events. The DESIGN.md targets on a 2-core machine are ≥ 10 M events/s at
// 1,000 pending and ≥ 5 M events/s at 100,000 pending, with 0 allocs/op.
//
//	go test -run '^$' -bench Hold -benchmem -count 5 ./sim
func BenchmarkHold(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run("pending="+strconv.Itoa(n), func(b *testing.B) {
			e := newHold(n, 1)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				e.Step()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkCancel measures scheduling an event and cancelling it again
// while a fixed number of other events are pending, the pattern of a
// repair timer that a later failure pre-empts.
func BenchmarkCancel(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run("pending="+strconv.Itoa(n), func(b *testing.B) {
			e := newHold(n, 2)
			r := rand.New(rand.NewPCG(3, 4))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				h := e.After(sim.Time(r.ExpFloat64()), 1, 0, 0)
				e.Cancel(h)
			}
		})
	}
}
