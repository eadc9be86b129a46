"""Events on NATS JetStream: envelope, registry, transactional outbox, relay and consumers."""
