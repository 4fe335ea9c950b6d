package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/dcsim/dcsim/model/results"
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
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return badInputf("merge needs the shard directories as arguments")
			}
			_, col, err := results.Merge(c.Args().Slice(), c.String("out"), c.Bool("force"))
			if err != nil {
				return badInput(err)
			}
			if !c.Bool("quiet") {
				if err := results.WriteTable(c.App.Writer, col.Summary(), 0); err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "\nmerged %d shards into %s\n", c.NArg(), c.String("out"))
			}
			return nil
		},
	}
}
