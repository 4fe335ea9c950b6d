package model

import (
	"slices"
	"testing"
)

// crewsBase is validBase with an [operations] table appended at lnEnd.
const crewsBase = validBase + `
[operations]
restore_crews = 4
`

const lnRestoreCrews = lnEnd + 2

func TestCrewSchedules(t *testing.T) {
	src := applyEdits(t, crewsBase, []edit{
		{"restore_crews = 4", `restore_crews = [{ at = "0h", n = 2 }, { at = "1d", n = 12 }, { at = "14d", n = 6 }]`},
		{"repower = {", `crews = { from = 4, to = 1, start = "2h", over = "6h" }` + "\nrepower = {"},
	})
	sc, err := Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if want := []CrewStep{{0, 2}, {24, 12}, {336, 6}}; sc.Ops.RestoreCrews != 2 || !slices.Equal(sc.Ops.RestoreCrewSchedule, want) {
		t.Errorf("restore crews %d %v, want 2 %v", sc.Ops.RestoreCrews, sc.Ops.RestoreCrewSchedule, want)
	}
	// 4 → 1 over 2h-8h: one crew fewer every 2h.
	if want := []CrewStep{{0, 4}, {4, 3}, {6, 2}, {8, 1}}; sc.Sites[0].Crews != 4 || !slices.Equal(sc.Sites[0].CrewSchedule, want) {
		t.Errorf("boot crews %d %v, want 4 %v", sc.Sites[0].Crews, sc.Sites[0].CrewSchedule, want)
	}
	if sc.Sites[1].CrewSchedule != nil || sc.Sites[1].Crews != 4 {
		t.Errorf("a site without crews has %d %v, want 4 and no schedule", sc.Sites[1].Crews, sc.Sites[1].CrewSchedule)
	}
	if got := crewsText(2, sc.Ops.RestoreCrewSchedule); got != "(2 at 0h, 12 at 24h, 6 at 336h)" {
		t.Errorf("crewsText %q", got)
	}
}

var crewCases = []struct {
	name string
	new  string
	want []want
}{
	{"zero crews", "restore_crews = 0",
		[]want{{"operations.restore_crews", lnRestoreCrews, "must be at least 1"}}},
	{"first step not at 0", `restore_crews = [{ at = "1h", n = 2 }]`,
		[]want{{"operations.restore_crews[0].at", lnRestoreCrews, `the first step gives the crews at the start: at = "0h"`}}},
	{"steps back in time", `restore_crews = [{ at = "0h", n = 2 }, { at = "2d", n = 3 }, { at = "1d", n = 4 }]`,
		[]want{{"operations.restore_crews[2].at", lnRestoreCrews, "steps go forward in time: 24h is not after 48h"}}},
	{"last step without crews", `restore_crews = [{ at = "0h", n = 2 }, { at = "2d", n = 0 }]`,
		[]want{{"operations.restore_crews[1].n", lnRestoreCrews, "the last step needs at least 1 crew, or the work never ends"}}},
	{"step without n", `restore_crews = [{ at = "0h" }]`,
		[]want{{"operations.restore_crews[0].n", lnRestoreCrews, `missing required key "n"`}}},
	{"step with a unitless time", `restore_crews = [{ at = 0, n = 2 }]`,
		[]want{{"operations.restore_crews[0].at", lnRestoreCrews, `duration 0 has no unit; write e.g. "0h" or "0m"`}}},
	{"empty schedule", `restore_crews = []`,
		[]want{{"operations.restore_crews", lnRestoreCrews, `list at least one step: [{at = "0h", n = 4}]`}}},
	{"ramp to zero", `restore_crews = { from = 4, to = 0, over = "1d" }`,
		[]want{{"operations.restore_crews.to", lnRestoreCrews, "a ramp must end with at least 1 crew, or the work never ends"}}},
	{"ramp without over", `restore_crews = { from = 1, to = 4 }`,
		[]want{{"operations.restore_crews.over", lnRestoreCrews, `missing required key "over"`}}},
	{"flat ramp", `restore_crews = { from = 4, to = 4, over = "1d" }`,
		[]want{{"operations.restore_crews.to", lnRestoreCrews, "from and to are both 4: write crews = 4"}}},
	{"huge ramp", `restore_crews = { from = 1, to = 5000, over = "1d" }`,
		[]want{{"operations.restore_crews.to", lnRestoreCrews, "a ramp of 4999 crews is more than 1000 steps; write a schedule of steps instead"}}},
	{"ramp over no time", `restore_crews = { from = 1, to = 4, over = "0h" }`,
		[]want{{"operations.restore_crews.over", lnRestoreCrews, "must be positive"}}},
	{"unknown ramp key", `restore_crews = { from = 1, to = 4, over = "1d", until = "2d" }`,
		[]want{{"operations.restore_crews.until", lnRestoreCrews, `~unknown key "until"`}}},
}

func TestCrewIssues(t *testing.T) {
	for _, c := range crewCases {
		t.Run(c.name, func(t *testing.T) {
			src := applyEdits(t, crewsBase, []edit{{"restore_crews = 4", c.new}})
			checkIssues(t, issuesOf(t, src), c.want)
		})
	}
}
