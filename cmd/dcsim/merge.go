package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model/pipeline"
)

func mergeCommand() *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "combine shard result directories into the result of one unsharded run",
		ArgsUsage: "SHARD_DIR [SHARD_DIR...]",
		Description: `Replications are seeded by index, so shards run anywhere (Slurm array tasks,
Kubernetes Indexed Jobs, several machines) merge into exactly the files one
unsharded run writes: same replications.csv and summary.json, byte for byte.
Every shard must be complete and from the same scenario, seed and replication
count; together they must cover every replication once.

Examples:
   dcsim run scenarios/kakao-2022.toml --shard 0/2 --out results/k0
   dcsim run scenarios/kakao-2022.toml --shard 1/2 --out results/k1
   dcsim merge results/k0 results/k1 --out results/kakao-2022`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "merged results `DIR`", Required: true},
			flagForce, flagQuiet,
			&cli.BoolFlag{Name: "no-plots", Usage: "do not draw plots or the report"},
		},
		Action: func(c *cli.Context) error {
			if strings.TrimSpace(c.String("out")) == "" {
				return badInputf("--out is empty: name the merged results directory")
			}
			if c.NArg() == 0 {
				return badInputf("merge needs the shard directories as arguments")
			}
			obs := newObserver(c, "merge")
			res, err := pipeline.Merge(c.Context, pipeline.MergeSpec{Dirs: c.Args().Slice(), Out: c.String("out"), Force: c.Bool("force"),
				Plots: !c.Bool("no-plots"), Version: version(), Load: loadScenario}, obs)
			obs.done()
			if err != nil {
				return cliError(err)
			}
			if err := show(c, res); err != nil {
				return err
			}
			if !c.Bool("quiet") {
				fmt.Fprintf(c.App.Writer, "merged %d shards\n", c.NArg())
			}
			return nil
		},
	}
}
