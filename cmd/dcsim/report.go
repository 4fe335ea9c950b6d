package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model/pipeline"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "write a self-contained report.html for a run or compare results directory",
		ArgsUsage: "RESULTS_DIR",
		Description: `Builds one HTML page for leadership — a headline with the numbers, the
per-service table, the options table (for dcsim compare results), charts as
inline SVG, the assumptions with their sources, and the run's seed,
replications and version — from the files in RESULTS_DIR. It needs no
network and no JavaScript. "dcsim run" and "dcsim compare" write it already;
use this to rebuild it.

Examples:
   dcsim report results/kakao-2022
   dcsim report results/kakao-2022-compare`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return badInputf("report needs exactly one RESULTS_DIR argument")
			}
			path, err := pipeline.WriteReport(c.Args().First(), loadScenario)
			if err != nil {
				return exitOf(err)
			}
			fmt.Fprintln(c.App.Writer, "report in", path)
			return nil
		},
	}
}

func plotCommand() *cli.Command {
	return &cli.Command{
		Name:      "plot",
		Usage:     "redraw the plots of a run or compare results directory from its saved results",
		ArgsUsage: "RESULTS_DIR",
		Description: `Reads manifest.json, the tables and the scenario copy in RESULTS_DIR
and redraws its SVG plots (and PNG copies with --png) and report.html,
without re-running the Monte Carlo. The timeline replays the typical
replication from its seed.

Examples:
   dcsim plot results/kakao-2022`,
		Flags: []cli.Flag{flagPNG()},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return badInputf("plot needs exactly one RESULTS_DIR argument")
			}
			dir := c.Args().First()
			if err := pipeline.Redraw(c.Context, dir, loadScenario, c.Bool("png")); err != nil {
				return exitOf(err)
			}
			fmt.Fprintln(c.App.Writer, "plots redrawn in", dir)
			return nil
		},
	}
}
