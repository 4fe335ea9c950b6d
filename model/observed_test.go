package model

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestObservedKakao(t *testing.T) {
	sc := loadScenario(t, "kakao-2022.toml")
	if len(sc.Observed) < 8 {
		t.Fatalf("kakao-2022 has %d observations, want the history its comments cite", len(sc.Observed))
	}
	tags := map[string]bool{}
	for _, st := range sc.SourceTags() {
		tags[st.Tag] = true
	}
	for _, o := range sc.Observed {
		if !tags[o.Source] {
			t.Errorf("%s: source %q is not a tag of the scenario's header (%v)", o, o.Source, tags)
		}
	}
	find := func(label string) Observation {
		for _, o := range sc.Observed {
			if o.Label == label {
				return o
			}
		}
		t.Fatalf("no observation %q", label)
		return Observation{}
	}
	if o := find("KakaoTalk messaging back"); math.Abs(o.TimeH-10.2) > 1e-9 || sc.Services[o.Service].Name != "kakaotalk" {
		t.Errorf("KakaoTalk back at %v h (service %d), want 10.2 h", o.TimeH, o.Service)
	}
	if o := find("Kakao T back"); o.TimeH != 22 || o.UntilH != 26 {
		t.Errorf("Kakao T window %v–%v h, want 22–26", o.TimeH, o.UntilH)
	}
	if o := find("Kakao servers at Pangyo down"); o.Value != 16000 {
		t.Errorf("servers down value %v", o.Value)
	}
	if n := len(sc.SourceTags()); n < 9 {
		t.Errorf("%d source tags in the header, want the nine it defines", n)
	}
	for _, st := range sc.SourceTags() {
		if st.Tag == "[PM]" && !strings.Contains(st.Reference, "no whole-site drills") {
			t.Errorf("[PM] reference lost its continuation lines: %q", st.Reference)
		}
	}
}

func TestObservedErrors(t *testing.T) {
	cases := []struct {
		name, add, path, msg string
	}{
		{"unknown what", "what = \"smoke\"\ntime = \"1h\"\nsource = \"x\"", "observed[0].what", "smoke"},
		{"no time", "what = \"fire_out\"\nsource = \"x\"", "observed[0].time", "missing"},
		{"bad time", "what = \"fire_out\"\ntime = 3\nsource = \"x\"", "observed[0].time", "duration"},
		{"before incident", "what = \"fire_out\"\ntime = 2022-10-15T12:00:00+09:00\nsource = \"x\"", "observed[0].time", "before the incident"},
		{"local time", "what = \"fire_out\"\ntime = 2022-10-15T16:00:00\nsource = \"x\"", "observed[0].time", "offset"},
		{"after horizon", "what = \"fire_out\"\ntime = \"30d\"\nsource = \"x\"", "observed[0].time", "horizon"},
		{"until before time", "what = \"fire_out\"\ntime = \"5h\"\nuntil = \"4h\"\nsource = \"x\"", "observed[0].until", "ends before"},
		{"no service", "what = \"service_recovered\"\ntime = \"5h\"\nsource = \"x\"", "observed[0].service", "needs service"},
		{"unknown service", "what = \"service_recovered\"\nservice = \"chta\"\ntime = \"5h\"\nsource = \"x\"", "observed[0].service", "chat"},
		{"service on other kind", "what = \"fire_out\"\nservice = \"chat\"\ntime = \"5h\"\nsource = \"x\"", "observed[0].service", "only service_recovered"},
		{"servers without value", "what = \"servers_down\"\ntime = \"1h\"\nsource = \"x\"", "observed[0].value", "needs value"},
		{"fraction out of range", "what = \"power_restored\"\ntime = \"1h\"\nvalue = 95\nsource = \"x\"", "observed[0].value", "0–1"},
		{"no source", "what = \"fire_out\"\ntime = \"1h\"", "observed[0].source", "missing"},
		{"unknown key", "what = \"fire_out\"\ntime = \"1h\"\nsource = \"x\"\nwhen = \"2h\"", "observed[0].when", "unknown key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := validBase + "\n[[observed]]\n" + c.add + "\n"
			_, err := Parse("obs.toml", []byte(src))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a ValidationError", err)
			}
			for _, is := range ve.Issues {
				if is.Path == c.path && strings.Contains(is.Msg, c.msg) {
					if is.Line < strings.Count(validBase, "\n") {
						t.Errorf("issue at line %d, want a line of the [[observed]] table", is.Line)
					}
					return
				}
			}
			t.Errorf("no issue at %s containing %q in:\n%v", c.path, c.msg, err)
		})
	}
}

func TestObservedDurationTimes(t *testing.T) {
	src := validBase + "\n[[observed]]\nwhat = \"service_recovered\"\nservice = \"chat\"\ntime = \"90m\"\nsource = \"ops log\"\n"
	sc, err := Parse("obs.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	o := sc.Observed[0]
	if o.TimeH != 1.5 || o.UntilH != 1.5 || o.Label != "chat back" || !math.IsNaN(o.Value) {
		t.Errorf("got %+v", o)
	}
}
