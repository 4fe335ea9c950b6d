package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model"
	"github.com/dcsim/dcsim/model/pipeline"
)

func traceCommand() *cli.Command {
	return &cli.Command{
		Name:      "trace",
		Usage:     "show what happens in one replication: event log, timeline text and plot",
		ArgsUsage: "SCENARIO.toml",
		Description: `Replays replication K exactly as "dcsim run" simulated it (same seed, same
random streams) and writes, into the output directory:
   trace.jsonl     one JSON object per event: {"t_h", "kind", "subject", "detail"}
                   and per change of serving: {"t_h", "serving": {service: fraction}}
   trace.txt       the same as a readable timeline
   outcome.json    the replication's metrics (equal to replication K's rows of the tables)
   timeline.png/.svg  serving fraction per service over time, with markers
The text timeline is also printed on stdout.

Examples:
   dcsim trace scenarios/kakao-2022.toml --index 3
   dcsim trace scenarios/kakao-2022.toml -k 3 --portfolio control-plane-2nd-site
   dcsim trace scenarios/kakao-2022.toml -k 3 --portfolio control-plane-2nd-site+site-drills

--replication and --option are the old names of --index and --portfolio;
they still work.`,
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "index", Aliases: []string{"k"}, Usage: "replication index `K`, 0-based (the replication column of the results tables)", DefaultText: "replication 0"},
			flagSeed(), flagOut("results/<scenario name>-trace-<K>"), flagQuiet(), flagForce(),
			&cli.StringFlag{Name: "portfolio", Usage: "apply the scenario's investments `A[,B]` together first (as compare's option A+B)", DefaultText: "none, the baseline"},
			&cli.StringFlag{Name: "incident", Usage: "trace catalogue incident `NAME` from [[incidents]]", DefaultText: "the scenario's [incident]"},
			hiddenIntAlias("replication"), hiddenStringAlias("option"),
		},
		Action: traceAction,
	}
}

func traceAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return badInputf("trace needs exactly one SCENARIO.toml argument (got %d)", c.NArg())
	}
	sc, err := loadScenario(c.Args().First())
	if err != nil {
		return err
	}
	k, kname, err := renamedInt(c, "index", "replication")
	if err != nil {
		return err
	}
	if k < 0 {
		return badInputf("--%s must be ≥ 0, got %d", kname, k)
	}
	portfolio, err := renamedString(c, "portfolio", "option")
	if err != nil {
		return err
	}
	seed := sc.Seed
	if c.IsSet("seed") {
		seed = c.Uint64("seed")
	}
	variant := "baseline"
	if portfolio != "" {
		names := strings.FieldsFunc(portfolio, func(r rune) bool { return r == ',' || r == '+' })
		if sc, err = sc.Variant(names); err != nil {
			return badInput(err)
		}
		variant = model.PortfolioName(names)
	}
	if name := c.String("incident"); name != "" {
		found := false
		for i, in := range sc.Incidents {
			if in.Name == name {
				sc, found = sc.WithIncident(i), true
			}
		}
		if !found {
			return badInputf("--incident %q is not in the scenario's catalogue", name)
		}
	}
	out := c.String("out")
	if out == "" {
		out = filepath.Join("results", fmt.Sprintf("%s-trace-%d", sc.Name, k))
	}
	if err := prepareTraceDir(out, c.Bool("force")); err != nil {
		return badInput(err)
	}
	tl := pipeline.TraceReplication(sc, seed, k)
	if err := tl.WriteFiles(out, sc, variant, seed, k); err != nil {
		return err
	}
	if !c.Bool("quiet") {
		tl.WriteText(c.App.Writer, sc, variant, seed, k)
		fmt.Fprintf(c.App.Writer, "\ntrace in %s\n", out)
	}
	return nil
}

// prepareTraceDir makes out ready for a trace's files before any work: it
// may be new, empty or an earlier trace (it holds trace.jsonl); anything
// else is refused unless force. A trace is not a results directory: each
// of its files is replaced atomically on its own.
func prepareTraceDir(out string, force bool) error {
	entries, err := os.ReadDir(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(out, 0o755); err != nil {
			return fmt.Errorf("trace output %s: %w", out, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("trace output %s: %w", out, err)
	}
	if len(entries) == 0 || force {
		return nil
	}
	if _, err := os.Stat(filepath.Join(out, "trace.jsonl")); err == nil {
		return nil
	}
	return fmt.Errorf("trace output %s exists and does not hold a dcsim trace; choose another --out or pass --force", out)
}
