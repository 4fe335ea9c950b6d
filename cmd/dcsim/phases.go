package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/dcsim/dcsim/model/pipeline"
)

// phaseDisplay shows the phases that follow the simulation (or a merge's
// reading): on a terminal one line, rewritten in place every tenth of a
// second, naming the phase with a spinner and the seconds it has taken,
// cleared when the command ends; elsewhere one line per phase on stderr
// ("dcsim: writing results and drawing plots…"); nothing with --quiet.
type phaseDisplay struct {
	w     io.Writer
	tty   bool
	quiet bool

	mu   sync.Mutex
	stop chan struct{} // closes the spinner of the current phase
	done chan struct{} // closed when that spinner has cleared its line
}

func newPhaseDisplay(c *cli.Context) *phaseDisplay {
	return &phaseDisplay{w: c.App.ErrWriter, tty: isTerminal(c.App.ErrWriter), quiet: c.Bool("quiet")}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// start ends the current phase's display and shows name's.
func (d *phaseDisplay) start(name string) {
	d.end()
	if d.quiet {
		return
	}
	if !d.tty {
		fmt.Fprintf(d.w, "dcsim: %s…\n", name)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	stop, done := make(chan struct{}), make(chan struct{})
	d.stop, d.done = stop, done
	go func() {
		defer close(done)
		t0 := time.Now()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		spin := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
		for i := 0; ; i++ {
			fmt.Fprintf(d.w, "\r\033[K%c %s… %.1f s", spin[i%len(spin)], name, time.Since(t0).Seconds())
			select {
			case <-tick.C:
			case <-stop:
				fmt.Fprint(d.w, "\r\033[K")
				return
			}
		}
	}()
}

// end clears the current phase's line, if any.
func (d *phaseDisplay) end() {
	d.mu.Lock()
	stop, done := d.stop, d.done
	d.stop, d.done = nil, nil
	d.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

// holdPhaseEnv names a phase (any part of its name) in which the command
// waits until it is interrupted, at most a minute, once it has shown the
// phase. It is for tests: a signal can then be delivered inside a phase
// however fast the machine runs it.
const holdPhaseEnv = "DCSIM_TEST_HOLD_PHASE"

// holdPhase waits in phase name if holdPhaseEnv asks for it.
func holdPhase(ctx context.Context, name string) {
	want := os.Getenv(holdPhaseEnv)
	if want == "" || !strings.Contains(name, want) {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(time.Minute):
	}
}

// mergeObserver shows a merge's progress: a bar while the shards are read
// (a line on stderr when it is not a terminal), then its phases.
type mergeObserver struct {
	c      *cli.Context
	out    string
	bar    progress
	read   int
	phases *phaseDisplay
}

func newMergeObserver(c *cli.Context, out string) *mergeObserver {
	return &mergeObserver{c: c, out: out, bar: noProgress{}, phases: newPhaseDisplay(c)}
}

func (o *mergeObserver) Reading(total int) {
	msg := func() string { return fmt.Sprintf("\nstopping the merge: nothing will be written to %s", o.out) }
	onFirstSignal.Store(&msg)
	const name = "reading the shards"
	if o.phases.tty {
		o.bar = newProgress(o.c, total, "merge: "+name)
	} else if !o.phases.quiet {
		fmt.Fprintf(o.phases.w, "dcsim: %s (%s replications)…\n", name, groupThousands(total))
	}
	holdPhase(o.c.Context, name)
}

func (o *mergeObserver) Read(done int) {
	o.bar.Add(done - o.read)
	o.read = done
}

func (o *mergeObserver) Phase(name string) {
	o.bar.Finish()
	o.phases.start(name)
	holdPhase(o.c.Context, name)
}

func (o *mergeObserver) stop() {
	o.bar.Finish()
	o.phases.end()
	onFirstSignal.Store(nil)
}

var _ pipeline.MergeObserver = (*mergeObserver)(nil)
