package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// permuteArgs moves a subcommand's flags in front of its positional
// arguments, so that "dcsim run SCENARIO --seed 7" works as users expect
// (urfave/cli v2 stops reading flags at the first positional argument).
// Tokens after "--" are left alone.
func permuteArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	var cmd *cli.Command
	for _, c := range app.Commands {
		if c.Name == args[1] || contains(c.Aliases, args[1]) {
			cmd = c
		}
	}
	if cmd == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var flags, pos []string
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			pos = append(pos, rest[i:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(rest) {
				flags = append(flags, rest[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	out := append([]string{args[0], args[1]}, flags...)
	for _, f := range flags {
		if f == "--help" || f == "-h" || f == "-help" {
			// "dcsim run SCENARIO --help" asks for run's help, not a
			// help topic named SCENARIO.
			return out
		}
	}
	return append(out, pos...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
