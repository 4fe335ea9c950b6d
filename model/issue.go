package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Issue is one problem found in a scenario: the file, the TOML key path
// (e.g. "services[3].depends_on[1]"), the line, and what is wrong.
type Issue struct {
	File string
	Path string
	Line int
	Msg  string
}

func (i Issue) String() string {
	loc := i.File
	if i.Line > 0 {
		loc += ":" + strconv.Itoa(i.Line)
	}
	if i.Path != "" {
		return fmt.Sprintf("%s: %s: %s", loc, i.Path, i.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, i.Msg)
}

// ValidationError lists every problem found in a scenario. Commands exit
// with status 2 on it.
type ValidationError struct {
	Issues []Issue
	// More counts problems found beyond Issues and not kept.
	More int
}

// Error lists the first maxPrinted issues and counts the rest.
func (e *ValidationError) Error() string {
	var b strings.Builder
	n := len(e.Issues) + e.More
	fmt.Fprintf(&b, "%d problem", n)
	if n != 1 {
		b.WriteString("s")
	}
	b.WriteString(" in scenario:")
	for k, i := range e.Issues {
		if k == maxPrinted {
			break
		}
		b.WriteString("\n  ")
		b.WriteString(i.String())
	}
	if rest := n - min(len(e.Issues), maxPrinted); rest > 0 {
		fmt.Fprintf(&b, "\n  … and %d more (fix these first: later problems often follow from earlier ones)", rest)
	}
	return b.String()
}
