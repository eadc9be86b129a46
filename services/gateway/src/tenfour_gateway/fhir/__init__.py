"""A read-only FHIR R4 API (`/fhir`) over the scheduling data the caller may already see."""
