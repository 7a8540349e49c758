"""Pulumi component resources for AWS (pulumi-aws 7), one per backend part.

Each component takes a frozen, typed settings object and builds the AWS
resources a production backend needs: network, database (Aurora), cache
(ElastiCache), queue (SQS), notifications (SNS) and API (ECS Fargate behind an
Application Load Balancer). Components know nothing of YAML or of the
``scaffold.yaml`` spec; :mod:`stacks` maps a resolved blueprint onto them, and a
Python user can use them directly.
"""
