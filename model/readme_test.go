package model

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeErrorExample keeps the "What errors look like" section of
// scenarios/README.md true: validating the TOML it shows must print exactly
// the problems it lists.
func TestReadmeErrorExample(t *testing.T) {
	b, err := os.ReadFile("../scenarios/README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, "## What errors look like")
	if i < 0 {
		t.Fatal(`no "What errors look like" section`)
	}
	blocks := regexp.MustCompile("(?s)```(\\w*)\n(.*?)```").FindAllStringSubmatch(doc[i:], -1)
	if len(blocks) < 3 || blocks[0][1] != "toml" {
		t.Fatalf("want a toml block and output blocks, got %d blocks", len(blocks))
	}
	src, out := blocks[0][2], blocks[1][2]
	_, err = Parse("bad.toml", []byte(src))
	if err == nil {
		t.Fatal("the README's bad scenario validates")
	}
	// The output block is: the command, "dcsim: " + the error, then the
	// exit status lines.
	lines := strings.Split(out, "\n")
	var shown []string
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "$ ") {
			break
		}
		shown = append(shown, l)
	}
	want := strings.TrimPrefix(strings.Join(shown, "\n"), "dcsim: ")
	if got := err.Error(); got != strings.TrimRight(want, "\n") {
		t.Errorf("README shows:\n%s\nvalidator says:\n%s", want, got)
	}

	// The syntax error example.
	_, err = Parse("broken.toml", []byte("name = \"demo\"\n\nhorizon = = \"7d\"\n"))
	if err == nil || !strings.Contains(blocks[2][2], err.Error()) {
		t.Errorf("README's syntax error example is not what the validator says: %v", err)
	}
}
