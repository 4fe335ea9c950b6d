package main

import (
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model"
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
			flagNoPlots("plots or the report"),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return badInputf("merge needs the shard directories as arguments")
			}
			dirs, err := expandShardDirs(c.Args().Slice())
			if err != nil {
				return badInput(err)
			}
			spec, err := mergeSpec(c, dirs[0])
			if err != nil {
				return err
			}
			ctx := c.Context
			var before func(string, *results.Collector, *results.Summary) error
			if spec.beforeFinish != nil {
				before = func(dir string, col *results.Collector, _ *results.Summary) error { return spec.beforeFinish(dir, col) }
			}
			_, col, err := results.MergeWith(ctx, dirs, c.String("out"), c.Bool("force"), nil, before)
			if ctx.Err() != nil {
				return interruptedError(fmt.Sprintf("merge interrupted; nothing written to %s (the shards are untouched): run it again", c.String("out")))
			}
			if err != nil {
				return badInput(err)
			}
			if spec.plots {
				if _, err := writeReport(c.String("out")); err != nil {
					return fmt.Errorf("merged into %s, but the report failed: %w", c.String("out"), err)
				}
			}
			if c.Bool("json") {
				return printResultsJSON(c, c.String("out"))
			}
			if !c.Bool("quiet") {
				if err := spec.show(c, col); err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "\nmerged %d shards into %s\n", len(dirs), c.String("out"))
			}
			return nil
		},
	}
}

// mergeSpec rebuilds, from the first shard's manifest and scenario copy,
// what the unsharded command would have added to its results (compare.json,
// plots), so a merge ends with the same files.
func mergeSpec(c *cli.Context, shard string) (*runSpec, error) {
	man, err := results.ReadManifest(filepath.Join(shard, results.ManifestFile))
	if err != nil {
		return nil, badInput(err)
	}
	path := filepath.Join(shard, man.ScenarioFile)
	sc, err := loadScenario(path)
	if err != nil {
		return nil, err
	}
	spec := &runSpec{scenarioPath: path, sc: sc, seed: man.Seed, reps: man.Replications,
		workers: runtime.GOMAXPROCS(0), plots: !c.Bool("no-plots"), ctx: c.Context}
	switch man.Command {
	case "compare":
		err = setupCompare(spec, compareOptionsFromManifest(man.Options))
	default:
		err = setupRun(spec, man.Options["incident"])
		spec.sc = sc
		seed := man.Seed
		spec.beforeFinish = func(dir string, col *results.Collector) error {
			if !spec.plots {
				return nil
			}
			return drawRunPlots(spec.ctx, dir, scenarioFor(sc, man.Options["incident"]), seed, col)
		}
	}
	return spec, err
}

// scenarioFor applies a run's --incident option.
func scenarioFor(sc *model.Scenario, incident string) *model.Scenario {
	for i, in := range sc.Incidents {
		if incident != "" && in.Name == incident {
			return sc.WithIncident(i)
		}
	}
	return sc
}
