package main

import (
	"encoding/json"
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

With --json, stdout is one object, {"scenarios": [...]}, an entry per file in
argument order: {"file", "ok", "scenario", "sites", "services", "servers",
"hazard", "site", "problems": [{"file", "line", "key", "message"}]} (the
scenario fields only when ok; line 0 when a problem has none).

Examples:
   dcsim validate scenarios/kakao-2022.toml
   dcsim validate scenarios/*.toml
   dcsim validate --json scenarios/*.toml`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print the results as JSON on stdout"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return badInputf("validate needs at least one SCENARIO.toml argument; see dcsim validate --help")
			}
			var firstErr error
			var out validateJSON
			bad := 0
			for _, path := range c.Args().Slice() {
				sc, err := loadScenario(path)
				if c.Bool("json") {
					out.Scenarios = append(out.Scenarios, validateResult(path, sc, err))
				}
				if err != nil {
					bad++
					switch {
					case c.Bool("json"):
					case firstErr == nil:
						firstErr = err
					default:
						fmt.Fprintln(c.App.ErrWriter, "dcsim:", err)
					}
					continue
				}
				if !c.Bool("json") {
					fmt.Fprintf(c.App.Writer, "%s: ok — scenario %q, %d sites, %d services, %d servers, %s at %s\n",
						path, sc.Name, len(sc.Sites), len(sc.Services), countServers(sc), sc.Incident.Hazard, sc.Where(&sc.Incident))
				}
			}
			if !c.Bool("json") {
				return firstErr
			}
			b, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				return err
			}
			if _, err := c.App.Writer.Write(append(b, '\n')); err != nil {
				return err
			}
			if bad > 0 {
				return badInputf("%d of %d scenarios have problems (listed in the JSON on stdout)", bad, c.NArg())
			}
			return nil
		},
	}
}
