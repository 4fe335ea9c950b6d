package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model/pipeline"
	"github.com/dcsim/dcsim/model/results"
)

func mergeCommand() *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "combine shard result directories into the result of one unsharded run",
		ArgsUsage: "SHARD_DIR... | DIR_OF_SHARDS",
		Description: `Replications are seeded by index, so shards run anywhere (Slurm array tasks,
Kubernetes Indexed Jobs, several machines) merge into exactly the files one
unsharded run writes: same tables and summary.json, byte for byte.
Every shard must be complete and from the same scenario, seed and replication
count; together they must cover every replication once. A directory that
holds shard directories (and is not one itself) stands for all of them.

Examples:
   dcsim run scenarios/kakao-2022.toml --shard 0/2 --out results/k0
   dcsim run scenarios/kakao-2022.toml --shard 1/2 --out results/k1
   dcsim merge results/k0 results/k1 --out results/kakao-2022`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, EnvVars: []string{envPrefix + "OUT"}, Usage: "merged results `DIR` (required)", Required: true},
			flagForce(), flagQuiet(), flagJSON("the merged manifest, summary and compare.json"),
			flagNoPlots("plots or the report"), flagPNG(),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return badInputf("merge needs the shard directories as arguments")
			}
			dirs, err := expandShardDirs(c.Args().Slice())
			if err != nil {
				return badInput(err)
			}
			obs := newMergeObserver(c, c.String("out"))
			res, err := pipeline.Merge(c.Context, dirs, pipeline.MergeSettings{
				Out: c.String("out"), Force: c.Bool("force"), Plots: !c.Bool("no-plots"), PNG: c.Bool("png"), Version: version(), Load: loadScenario,
				Observer: obs,
			})
			obs.stop()
			if err != nil {
				return exitOf(err)
			}
			if c.Bool("json") {
				return printResultsJSON(c, res.Dir)
			}
			if !c.Bool("quiet") {
				if res.Comparison != nil {
					err = writeCompareTable(c.App.Writer, res.Comparison)
				} else {
					err = results.WriteTable(c.App.Writer, res.Summary, 0)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "\nmerged %d shards into %s\n", len(dirs), res.Dir)
			}
			return nil
		},
	}
}
