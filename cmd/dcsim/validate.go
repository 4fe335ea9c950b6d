package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check scenarios without running them",
		ArgsUsage: "SCENARIO.toml [SCENARIO.toml...]",
		Description: `Reports every problem in each scenario at once — unknown or misspelt keys,
wrong types and units, probabilities outside [0,1], shares that do not add up,
unknown sites, domains or services, dependency cycles — each with file, line
and TOML key path; at most 100 per file are printed, then a count of the rest.
Exit status 2 if any scenario has a problem.

A file beyond the limits of scenarios/README.md ("Limits") is refused before it
is parsed: over 8 MiB, arrays and inline tables nested over 32 deep, a key over
256 bytes, a key path over 12 parts or 256 bytes, over 250,000 keys, key parts
and array elements. Any file is validated or refused within seconds.

Examples:
   dcsim validate scenarios/kakao-2022.toml
   dcsim validate scenarios/*.toml`,
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return badInputf("validate needs at least one SCENARIO.toml argument")
			}
			var firstErr error
			for _, path := range c.Args().Slice() {
				sc, err := loadScenario(path)
				if err != nil {
					if firstErr == nil {
						firstErr = err
					} else {
						fmt.Fprintln(c.App.ErrWriter, "dcsim:", err)
					}
					continue
				}
				fmt.Fprintf(c.App.Writer, "%s: ok — scenario %q, %d sites, %d services, %d servers, %s at %s\n",
					path, sc.Name, len(sc.Sites), len(sc.Services), countServers(sc), sc.Incident.Hazard, sc.Sites[sc.Incident.Site].Name)
			}
			return firstErr
		},
	}
}
