module ecs-chaos-platform/docker/api

go 1.19
