package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// tidyApp makes app's help and usage errors what a user expects:
//
//   - a usage error (unknown flag, bad value, missing required flag) is
//     one line on stderr with a hint to --help, exit 2, instead of
//     urfave/cli's whole help page on stdout before the error;
//   - an unknown command is such an error too, naming the commands;
//   - subcommand help lists no "help" subcommand, and boolean flags show
//     no "(default: false)".
func tidyApp(app *cli.App) {
	app.OnUsageError = func(c *cli.Context, err error, _ bool) error {
		return usageError(err, "dcsim")
	}
	app.Action = func(c *cli.Context) error {
		if c.NArg() == 0 {
			return cli.ShowAppHelp(c)
		}
		var names []string
		for _, cmd := range app.Commands {
			if !cmd.Hidden {
				names = append(names, cmd.Name)
			}
		}
		return badInputf("unknown command %q (commands: %s); see dcsim --help", c.Args().First(), strings.Join(names, ", "))
	}
	for _, cmd := range app.Commands {
		name := "dcsim " + cmd.Name
		cmd.HideHelpCommand = true
		cmd.OnUsageError = func(c *cli.Context, err error, _ bool) error {
			return usageError(err, name)
		}
		for _, f := range cmd.Flags {
			if b, ok := f.(*cli.BoolFlag); ok {
				b.DisableDefaultText = true
			}
		}
	}
}

// usageError turns urfave/cli's complaint about the command line into a
// one-line bad-input error pointing at the command's help.
func usageError(err error, cmd string) error {
	return badInputf("%v (see %s --help)", err, cmd)
}

// withHelpHint adds the --help hint to a usage error urfave/cli reports
// outside OnUsageError (a missing required flag).
func withHelpHint(msg string, args []string) string {
	if strings.Contains(msg, "--help") {
		return msg
	}
	cmd := "dcsim"
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") && args[1] != "help" {
		cmd += " " + args[1]
	}
	return fmt.Sprintf("%s (see %s --help)", msg, cmd)
}
