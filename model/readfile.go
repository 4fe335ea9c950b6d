package model

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
)

// readLimited reads a scenario file, refusing one larger than MaxFileBytes
// before reading it.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxFileBytes {
		return nil, tooLarge(path, fmt.Sprintf("%d bytes", fi.Size()))
	}
	// Not a regular file (a pipe, say): read at most one byte too many.
	src, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(src) > MaxFileBytes {
		return nil, tooLarge(path, fmt.Sprintf("more than %d bytes", int64(MaxFileBytes)))
	}
	return src, nil
}

func tooLarge(file, what string) error {
	return &ValidationError{Issues: []Issue{{File: file, Msg: fmt.Sprintf("the file has %s; a scenario file may have at most %d (%d MiB)", what, int64(MaxFileBytes), MaxFileBytes>>20)}}}
}

// parseErrorLine is the line of the token a parse error is about. The
// parser's own line counts the newlines it has read, one too many when it
// fails on the newline that ends the token's line ("a = +" is reported on
// the next line), so the line is counted up to the token's start instead
// (in the text after a byte-order mark, as the parser reads it).
func parseErrorLine(src string, pos toml.Position) int {
	for _, bom := range []string{"\xef\xbb\xbf", "\xff\xfe", "\xfe\xff"} {
		if strings.HasPrefix(src, bom) {
			src = src[len(bom):]
			break
		}
	}
	if pos.Start < 0 || pos.Start > len(src) {
		return pos.Line
	}
	return min(pos.Line, 1+strings.Count(src[:pos.Start], "\n"))
}

// syntaxIssue places the parser's complaint is: the parser notices an
// array, inline table, multi-line string or table header left open only
// where it next expected a closing bracket, a line or more later, so when
// prescan found such a construct starting at or before that line, the
// issue names the line where it starts and keeps the parser's words.
func syntaxIssue(is Issue, malformed *Issue) Issue {
	if strings.Contains(is.Msg, "out of range for int64") {
		is.Msg += " (TOML integers stop at 2^63-1; write a larger seed as a string of digits, such as seed = \"18446744073709551615\")"
	}
	if malformed != nil && strings.HasPrefix(malformed.Msg, "table header") && malformed.Line <= is.Line {
		// The parser's words about a header add nothing but a wrong line.
		is.Line, is.Msg = malformed.Line, "TOML syntax: "+malformed.Msg
		return is
	}
	if malformed == nil || (is.Line > 0 && malformed.Line > is.Line) {
		return is
	}
	msg := "TOML syntax: " + malformed.Msg
	if detail := strings.TrimPrefix(is.Msg, "TOML syntax: "); detail != "" {
		if is.Line > 0 && is.Line != malformed.Line {
			msg += fmt.Sprintf(" (the parser stopped at line %d: %s)", is.Line, detail)
		} else {
			msg += " (" + detail + ")"
		}
	}
	is.Line, is.Msg = malformed.Line, msg
	return is
}
