// Package cli parses the baseline commands' flags the same way: a bad option
// prints one line naming it and exits with status 2; --help prints the usage.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Command is one program's flag set and usage line.
type Command struct {
	Name  string
	Usage string
	Flags *flag.FlagSet
}

// New returns a command whose flags are defined on Flags before Parse.
func New(name, usage string) *Command {
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	return &Command{Name: name, Usage: usage, Flags: flags}
}

// Parse reads args; it exits on --help, a bad flag or a stray argument.
func (c *Command) Parse(args []string) {
	if err := c.Flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.Flags.SetOutput(os.Stderr)
			fmt.Fprintf(os.Stderr, "usage: %s %s\n", c.Name, c.Usage)
			c.Flags.PrintDefaults()
			os.Exit(0)
		}
		c.Fail("%s", dashes(err.Error()))
	}
	if c.Flags.NArg() > 0 {
		c.Fail("unexpected argument %q", c.Flags.Arg(0))
	}
}

// Fail prints one line naming the problem and exits with status 2.
func (c *Command) Fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, c.Name+": "+format+"\n", args...)
	os.Exit(2)
}

// dashes spells flags the way the usage does: "flag -port" becomes "--port".
func dashes(message string) string {
	message = strings.ReplaceAll(message, "flag -", "--")
	return strings.ReplaceAll(message, ": -", ": --")
}
