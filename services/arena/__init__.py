"""Arena: a small LLM-evaluation platform (the system under test of the acceptance suite).

  api/        FastAPI app: HTTP in, database rows and Celery tasks out
  worker/     Celery app and tasks: executes runs (no HTTP surface)
  runs/       run execution and scoring, independent of Celery and HTTP
  providers/  the OpenAI SDK client for a provider, and provider-error classification
  db/         SQLAlchemy models and sessions; migrations/ holds the Alembic history
"""
