package model

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkValidateLarge measures Parse on inputs at and past the limits
// of limits.go: refused ones must cost little more than reading them,
// accepted ones at the key limit must stay within seconds. Run with
//
//	go test -run '^$' -bench ValidateLarge -benchmem -count 5 ./model
func BenchmarkValidateLarge(b *testing.B) {
	rep := strings.Repeat
	var keys, svcs strings.Builder
	keys.WriteString(validBase + "\n[operations]\n")
	for i := 0; i < 240_000; i++ {
		fmt.Fprintf(&keys, "unknown%d = 1\n", i)
	}
	svcs.WriteString(strings.Replace(validBase, "servers = 200", "servers = 50000", 1))
	for i := 0; i < 20_000; i++ {
		dep := fmt.Sprintf("%q", fmt.Sprintf("svc%05d", max(i-1, 0)))
		if i == 0 {
			dep = ""
		}
		if i == 12_345 {
			dep = `"svc1234"`
		}
		fmt.Fprintf(&svcs, "\n[[services]]\nname = \"svc%05d\"\nservers = 1\ndepends_on = [%s]\nplacement = [{ site = \"beta\", share = 1.0 }]\n", i, dep)
	}
	cases := []struct{ name, src string }{
		{"arrays-3M-deep", "a = " + rep("[", 3_000_000) + rep("]", 3_000_000)},
		{"inline-tables-20k-deep", "a = " + rep("{b = ", 20_000) + "1" + rep("}", 20_000)},
		{"header-10k-parts", "[" + strings.TrimSuffix(rep("a.", 10_000), ".") + "]"},
		{"unknown-keys-240k", keys.String()},
		{"services-20k-one-misspelt", svcs.String()},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			src := []byte(c.src)
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := Parse("large.toml", src); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
