package main

import (
	"strings"
	"testing"
)

func TestShardFromEnv(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr string // a substring of the error; "" means no error
	}{
		{"range from 0", map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "8"}, "3/8", ""},
		{"range from 1", map[string]string{"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "8"}, "4/8", ""},
		// What Slurm 22.05 sets for --array=0-30:2 (16 tasks).
		{"stepped range", map[string]string{"SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "30",
			"SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "16"}, "3/16", ""},
		{"stepped range, last", map[string]string{"SLURM_ARRAY_TASK_ID": "30", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "30",
			"SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "16"}, "15/16", ""},
		{"stepped range from 1", map[string]string{"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "10",
			"SLURM_ARRAY_TASK_STEP": "3"}, "2/4", ""},
		// What Slurm 22.05 sets for --array=1,5,9: step 1, three tasks.
		{"list without DCSIM_SHARDS", map[string]string{"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "9",
			"SLURM_ARRAY_TASK_STEP": "1", "SLURM_ARRAY_TASK_COUNT": "3"}, "", "set DCSIM_SHARDS"},
		{"list with DCSIM_SHARDS", map[string]string{"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "9",
			"SLURM_ARRAY_TASK_STEP": "1", "SLURM_ARRAY_TASK_COUNT": "3", "DCSIM_SHARDS": "10"}, "5/10", ""},
		{"stepped with DCSIM_SHARDS", map[string]string{"SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "30",
			"SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "16", "DCSIM_SHARDS": "31"}, "6/31", ""},
		{"a rerun of one shard", map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_MAX": "3",
			"SLURM_ARRAY_TASK_COUNT": "1", "DCSIM_SHARDS": "4"}, "3/4", ""},
		{"id beyond DCSIM_SHARDS", map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "5", "DCSIM_SHARDS": "4"}, "", "0..3"},
		{"DCSIM_SHARDS zero", map[string]string{"SLURM_ARRAY_TASK_ID": "0", "DCSIM_SHARDS": "0"}, "", "at least 1"},
		{"id off the step", map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "4",
			"SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "3"}, "", "DCSIM_SHARDS"},
		{"bad step", map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MAX": "4", "SLURM_ARRAY_TASK_STEP": "0"}, "", "not positive"},
		{"indexed job", map[string]string{"JOB_COMPLETION_INDEX": "2", "DCSIM_SHARDS": "4"}, "2/4", ""},
		{"indexed job beyond completions", map[string]string{"JOB_COMPLETION_INDEX": "4", "DCSIM_SHARDS": "4"}, "", "0..3"},
		{"indexed job without count", map[string]string{"JOB_COMPLETION_INDEX": "2"}, "", "DCSIM_SHARDS"},
		{"not a number", map[string]string{"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "8"}, "", `SLURM_ARRAY_TASK_ID="x"`},
		{"no count", map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, "", "SLURM_ARRAY_TASK_COUNT"},
		{"nothing", map[string]string{}, "", "no SLURM_ARRAY_TASK_ID"},
	}
	for _, c := range cases {
		got, err := shardFromEnv(func(k string) string { return c.env[k] })
		switch {
		case c.wantErr == "" && (err != nil || got != c.want):
			t.Errorf("%s: shardFromEnv = %q, %v; want %q", c.name, got, err, c.want)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: shardFromEnv = %q, %v; want an error containing %q", c.name, got, err, c.wantErr)
		}
	}
}
