// Command dcsim simulates datacenter incidents and their recovery.
//
// It owns flags, files, goroutines, signals and exit codes; the simulation
// lives in package model and the engine in package sim.
//
// Exit status: 0 success, 1 failure, 2 bad input (scenario, flags, paths),
// 130 interrupted by SIGINT (143 by SIGTERM) with partial results kept.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model"
)

// exitError carries an exit status to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// badInput marks err as the user's input being wrong (exit 2).
func badInput(err error) error { return &exitError{code: 2, err: err} }

func badInputf(format string, args ...any) error { return badInput(fmt.Errorf(format, args...)) }

// version is dcsim's version, from the build information the Go toolchain
// embeds: the module version when installed with go install ...@vX or
// @latest (or the pseudo-version go build stamps from a git checkout, which
// names the commit and ends in +dirty when the tree had changes), else the
// VCS revision with "-dirty" when built with older stamping, else "devel"
// (built with -buildvcs=false, or outside a repository).
func version() string { return versionFrom(debug.ReadBuildInfo()) }

func versionFrom(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "devel+" + rev
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "dcsim",
		Usage:   "simulate datacenter fires, power and cooling losses, and how services recover",
		Version: version(),
		Description: `dcsim runs Monte Carlo replications of an incident described in a TOML
scenario and reports, per service, how long recovery takes and how many users
are hurt, with confidence intervals.

Examples:
   dcsim run scenarios/kakao-2022.toml
   dcsim run scenarios/kakao-2022.toml --replications 10000 --seed 7 --out results/k10k
   dcsim validate scenarios/example.toml
   dcsim compare scenarios/kakao-2022.toml --all
   dcsim trace scenarios/kakao-2022.toml --index 3
   dcsim report results/kakao-2022
   dcsim completion bash

Environment: DCSIM_REPLICATIONS, DCSIM_SEED, DCSIM_WORKERS, DCSIM_OUT and
DCSIM_QUIET set the flags of the same name; a flag on the command line wins.

Scenario keys are documented in scenarios/README.md, results in results/README.md.`,
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		Commands: []*cli.Command{
			runCommand(),
			compareCommand(),
			riskCommand(),
			sweepCommand(),
			traceCommand(),
			plotCommand(),
			reportCommand(),
			validateCommand(),
			mergeCommand(),
			completionCommand(),
		},
		ExitErrHandler: func(*cli.Context, error) {}, // main maps errors to codes
	}
	tidyApp(app)
	return app
}

func main() {
	os.Exit(mainCode(os.Args, os.Stdout, os.Stderr))
}

// mainCode runs dcsim with args and returns the exit status.
func mainCode(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signalContext()
	defer stop()
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, permuteArgs(app, args))
	if err == nil {
		return 0
	}
	var ee *exitError
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ee):
		fmt.Fprintln(stderr, "dcsim:", ee.err)
		return ee.code
	case errors.As(err, &ve):
		fmt.Fprintln(stderr, "dcsim:", err)
		return 2
	case isUsageError(err):
		fmt.Fprintln(stderr, "dcsim:", withHelpHint(err.Error(), args))
		return 2
	default:
		fmt.Fprintln(stderr, "dcsim:", err)
		return 1
	}
}

// isUsageError recognises urfave/cli's complaints about flags and
// arguments, which are bad input.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, s := range []string{"flag provided but not defined", "invalid value", "Required flag", "flag needs an argument", "No help topic", "could not parse"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// signalContext is cancelled by the first SIGINT or SIGTERM; it records
// which signal arrived so the command can exit 130 or 143.
var gotSignal os.Signal

// onFirstSignal, when set (by a run that is simulating), says what the
// first signal does, for the user at the terminal.
var onFirstSignal atomic.Pointer[func() string]

func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-ch:
			gotSignal = s
			if f := onFirstSignal.Load(); f != nil {
				fmt.Fprintln(os.Stderr, (*f)())
			}
			cancel()
			// A second signal means "now": leave without tidying up.
			s2 := <-ch
			if s2 == syscall.SIGTERM {
				os.Exit(143)
			}
			os.Exit(130)
		case <-ctx.Done():
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

// interruptedError is returned after partial results were saved.
func interruptedError(msg string) error {
	code := 130
	if gotSignal == syscall.SIGTERM {
		code = 143
	}
	return &exitError{code: code, err: errors.New(msg)}
}

// loadScenario loads and validates path, mapping problems to exit 2.
func loadScenario(path string) (*model.Scenario, error) {
	sc, err := model.Load(path)
	if err != nil {
		var ve *model.ValidationError
		if errors.As(err, &ve) {
			return nil, badInput(err)
		}
		return nil, badInputf("reading scenario: %v", err)
	}
	return sc, nil
}
