"""Outcomes' pure core: de-identified facts, feedback credentials, measuring, suppression and
publication. No gRPC, Redis or NATS here (an import contract and a unit test keep it so)."""
