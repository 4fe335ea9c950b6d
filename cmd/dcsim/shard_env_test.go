package main

import "testing"

func TestShardFromEnv(t *testing.T) {
	cases := []struct {
		env     map[string]string
		want    string
		wantErr bool
	}{
		{map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "8"}, "3/8", false},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "8"}, "4/8", false},
		{map[string]string{"JOB_COMPLETION_INDEX": "2", "DCSIM_SHARDS": "4"}, "2/4", false},
		{map[string]string{"JOB_COMPLETION_INDEX": "2"}, "", true},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "8"}, "", true},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, "", true},
		{map[string]string{}, "", true},
	}
	for _, c := range cases {
		got, err := shardFromEnv(func(k string) string { return c.env[k] })
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("shardFromEnv(%v) = %q, %v; want %q, error %v", c.env, got, err, c.want, c.wantErr)
		}
	}
}
