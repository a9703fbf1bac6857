package main

// post is one entry of the small fixed resource the frontend lists.
type post struct {
	ID          int    `json:"id"`
	Title       string `json:"title"`
	Summary     string `json:"summary"`
	PublishedAt string `json:"publishedAt"`
}

// posts is the fixed content behind GET /api/posts: real enough for the frontend to show
// that the path frontend → proxy → API works, with no storage to manage.
var posts = []post{
	{
		ID:          1,
		Title:       "Three services on one instance",
		Summary:     "A static frontend, a Go API and an nginx proxy share the host network of one self-healing EC2 instance.",
		PublishedAt: "2024-05-02",
	},
	{
		ID:          2,
		Title:       "Stopping a task on purpose",
		Summary:     "ECS StopTask, docker stop and instance termination each take a different path back to service.",
		PublishedAt: "2024-05-09",
	},
	{
		ID:          3,
		Title:       "Measuring recovery",
		Summary:     "Time to detect, time to recover and availability come from probes that run during the fault.",
		PublishedAt: "2024-05-16",
	},
}
