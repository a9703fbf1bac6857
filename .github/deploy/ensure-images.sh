#!/usr/bin/env bash
# Before `cdktf deploy <environment>`: the images its tasks will run must be in its ECR repositories,
# or ECS starts tasks that cannot pull and the deployment circuit breaker rolls back after minutes.
#
#   .github/deploy/ensure-images.sh <environment> <image tag> [<source environment>]
#
# For each service, platform-<environment>/<service>:<tag> must exist. When it does not and a source
# environment is given (the one release-images pushes to), the image is promoted from
# platform-<source>/<service>:<tag> (pull, tag, push: ECR cannot copy between repositories), so prod
# runs the very images dev ran through the chaos gate. Otherwise, exit 1 naming what is missing.
# Needs the AWS CLI with credentials, and docker logged in to the registry when promoting.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 <environment> <image tag> [<source environment>]" >&2
  exit 2
fi
environment=$1 tag=$2 source=${3:-}
services=(frontend api proxy)

has_image() { aws ecr describe-images --repository-name "$1" --image-ids "imageTag=$tag" >/dev/null 2>&1; }

missing=()
for service in "${services[@]}"; do
  repo="platform-$environment/$service"
  if has_image "$repo"; then
    echo "$repo:$tag is there"
  elif [ -n "$source" ] && [ "$source" != "$environment" ] && has_image "platform-$source/$service"; then
    registry=$(aws ecr describe-repositories --repository-names "$repo" --query 'repositories[0].repositoryUri' --output text)
    registry=${registry%%/*}
    docker pull "$registry/platform-$source/$service:$tag"
    docker tag "$registry/platform-$source/$service:$tag" "$registry/$repo:$tag"
    docker push "$registry/$repo:$tag"
    echo "$repo:$tag promoted from platform-$source/$service"
  else
    missing+=("$repo:$tag")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "::error::no image ${missing[*]}: push the images first (the release-images workflow, or docker/README.md), then deploy again" >&2
  exit 1
fi
