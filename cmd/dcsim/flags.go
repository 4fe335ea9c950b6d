package main

import (
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

// The flags several commands share. Each call returns new flag values:
// urfave/cli records on the flag itself whether it was set (from the
// command line or the environment), so one app's parse must not leak into
// the next (tests run many apps in one process).
//
// The common flags also read DCSIM_* environment variables; a value on the
// command line wins over the environment. DefaultText says in words what
// an unset flag means, so help never shows a meaningless "(default: 0)".

// envPrefix prefixes the environment variable of every common flag.
const envPrefix = "DCSIM_"

func flagReplications() cli.Flag {
	return &cli.IntFlag{Name: "replications", Aliases: []string{"n"}, EnvVars: []string{envPrefix + "REPLICATIONS"},
		Usage: "Monte Carlo replications, `N` ≥ 1", DefaultText: "the scenario's replications"}
}

func flagSeed() cli.Flag {
	return &cli.Uint64Flag{Name: "seed", EnvVars: []string{envPrefix + "SEED"},
		Usage: "random `SEED`; with the scenario it fixes every number", DefaultText: "the scenario's seed"}
}

func flagWorkers() cli.Flag {
	return &cli.IntFlag{Name: "workers", Aliases: []string{"w"}, EnvVars: []string{envPrefix + "WORKERS"},
		Usage: "worker goroutines, `N` ≥ 1; results are identical for any value", DefaultText: "all cores"}
}

// flagOut is --out with the default its command uses, in words.
func flagOut(def string) cli.Flag {
	return &cli.StringFlag{Name: "out", Aliases: []string{"o"}, EnvVars: []string{envPrefix + "OUT"},
		Usage: "output directory `DIR`", DefaultText: def}
}

func flagForce() cli.Flag {
	return &cli.BoolFlag{Name: "force", Usage: "write into an existing directory that dcsim did not create, or discard an interrupted run there"}
}

func flagQuiet() cli.Flag {
	return &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, EnvVars: []string{envPrefix + "QUIET"},
		Usage: "no progress bar and no table on stdout (errors still go to stderr)"}
}

func flagJSON(what string) cli.Flag {
	return &cli.BoolFlag{Name: "json", Usage: "print " + what + " as JSON on stdout instead of the table (see results/README.md)"}
}

func flagShard() cli.Flag {
	return &cli.StringFlag{Name: "shard", Usage: "run only slice `i/n` of the replications (combine with dcsim merge); \"auto\" reads a Slurm array or Kubernetes Indexed Job environment",
		DefaultText: "the whole run"}
}

func flagParquet() cli.Flag {
	return &cli.BoolFlag{Name: "parquet", Usage: "also write the tables as Parquet (replications.parquet, overall.parquet)"}
}

func flagNoPlots(what string) cli.Flag {
	return &cli.BoolFlag{Name: "no-plots", Usage: "do not draw " + what}
}

// flagPNG asks for PNG copies of the plots, which are SVG by default:
// rasterising them costs more than drawing them.
func flagPNG() cli.Flag {
	return &cli.BoolFlag{Name: "png", Usage: "also write each plot as PNG (150 dpi) beside its SVG"}
}

// hiddenIntAlias is an old flag name kept so existing scripts still work;
// help does not show it. renamedInt reads whichever of the two was given.
func hiddenIntAlias(old string) cli.Flag {
	return &cli.IntFlag{Name: old, Hidden: true}
}

func hiddenStringAlias(old string) cli.Flag {
	return &cli.StringFlag{Name: old, Hidden: true}
}

// renamedInt returns the value of flag name, or of its hidden old name,
// refusing both at once, and the name the user gave (for messages).
func renamedInt(c *cli.Context, name, old string) (int, string, error) {
	if c.IsSet(old) {
		if c.IsSet(name) {
			return 0, "", badInputf("--%s is the old name of --%s: give one of them (see dcsim %s --help)", old, name, c.Command.Name)
		}
		return c.Int(old), old, nil
	}
	return c.Int(name), name, nil
}

// renamedString is renamedInt for string flags.
func renamedString(c *cli.Context, name, old string) (string, error) {
	if c.IsSet(old) {
		if c.IsSet(name) {
			return "", badInputf("--%s is the old name of --%s: give one of them (see dcsim %s --help)", old, name, c.Command.Name)
		}
		return c.String(old), nil
	}
	return c.String(name), nil
}

// resumeConflicts refuses flags that would change a resumed run, unless
// they repeat the value the run started with: the run keeps its settings.
// A value from the environment (DCSIM_SEED, …) that differs is refused
// too, naming the variable, so a stale shell setting cannot pass silently.
func resumeConflicts(c *cli.Context, seed uint64, reps int, shard, out string) error {
	where := func(name string) string {
		if env := envPrefix + strings.ToUpper(name); os.Getenv(env) != "" {
			return "--" + name + " (or " + env + ")"
		}
		return "--" + name
	}
	switch {
	case c.IsSet("seed") && c.Uint64("seed") != seed:
		return badInputf("%s is %d, but the run started with seed %d: a resumed run keeps its settings", where("seed"), c.Uint64("seed"), seed)
	case c.IsSet("replications") && c.Int("replications") != reps:
		return badInputf("%s is %d, but the run started with %d replications: a resumed run keeps its settings", where("replications"), c.Int("replications"), reps)
	case c.IsSet("shard") && c.String("shard") != shard:
		return badInputf("--shard %s, but the run started as shard %s: a resumed run keeps its settings", c.String("shard"), shard)
	case c.IsSet("out") && c.String("out") != out:
		return badInputf("%s is %s, but --resume continues in %s: a resumed run keeps its output directory", where("out"), c.String("out"), out)
	}
	return nil
}
