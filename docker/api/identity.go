package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// taskInfo identifies the task (ECS) or replica (local swarm) the process runs in, so that a
// client can tell a replacement task from a restarted container in the same task.
type taskInfo struct {
	// Source says where the identity came from: "ecs-metadata", "env" (TASK_ID) or "unknown".
	Source   string `json:"source"`
	ARN      string `json:"arn,omitempty"`
	ID       string `json:"id,omitempty"`
	Cluster  string `json:"cluster,omitempty"`
	Family   string `json:"family,omitempty"`
	Revision string `json:"revision,omitempty"`
}

// Sources of a task identity.
const (
	sourceECSMetadata = "ecs-metadata"
	sourceEnv         = "env"
	sourceUnknown     = "unknown"
)

// taskFromEnv is the identity known without asking anyone: TASK_ID if set.
func taskFromEnv(taskID string) taskInfo {
	if taskID == "" {
		return taskInfo{Source: sourceUnknown}
	}
	return taskInfo{Source: sourceEnv, ID: taskID}
}

// ecsTaskMetadata is the part of the ECS task metadata v4 /task document the API reports.
type ecsTaskMetadata struct {
	TaskARN  string `json:"TaskARN"`
	Cluster  string `json:"Cluster"`
	Family   string `json:"Family"`
	Revision string `json:"Revision"`
}

// fetchTaskMetadata reads the task identity from the ECS task metadata endpoint v4
// (<uri>/task). The caller bounds it with ctx: the endpoint is local but may be missing.
func fetchTaskMetadata(ctx context.Context, client *http.Client, uri string) (taskInfo, error) {
	url := strings.TrimRight(uri, "/") + "/task"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return taskInfo{}, fmt.Errorf("task metadata request: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return taskInfo{}, fmt.Errorf("task metadata: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return taskInfo{}, fmt.Errorf("task metadata: GET %s: status %s", url, resp.Status)
	}
	var md ecsTaskMetadata
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&md); err != nil {
		return taskInfo{}, fmt.Errorf("task metadata: decode %s: %w", url, err)
	}
	if md.TaskARN == "" {
		return taskInfo{}, fmt.Errorf("task metadata: %s has no TaskARN", url)
	}
	return taskInfo{
		Source:   sourceECSMetadata,
		ARN:      md.TaskARN,
		ID:       taskIDFromARN(md.TaskARN),
		Cluster:  md.Cluster,
		Family:   md.Family,
		Revision: md.Revision,
	}, nil
}

// taskIDFromARN returns the task id, the last segment of a task ARN
// (arn:aws:ecs:<region>:<account>:task/<cluster>/<id>, or the older form without the cluster).
func taskIDFromARN(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// newInstanceID returns a random id for this process: a new process (a restarted container
// or a new task) always answers with a different one.
func newInstanceID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("instance id: %w", err)
	}
	return hex.EncodeToString(b), nil
}
