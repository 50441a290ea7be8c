"""The tenant's usage ledger: tokens and cost over every stored result, overall and per model."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import func, select

from arena.api.auth import current_tenant
from arena.api.contract import TENANT_READ
from arena.api.schemas import ModelUsage, TenantUsage
from arena.db.models import Result, Run, Tenant
from arena.db.session import session_scope

router = APIRouter()


@router.get("/usage", response_model=TenantUsage, responses=TENANT_READ)
def tenant_usage(tenant: Tenant = Depends(current_tenant)) -> TenantUsage:
    columns = (func.count(), func.coalesce(func.sum(Result.prompt_tokens), 0),
               func.coalesce(func.sum(Result.completion_tokens), 0),
               func.coalesce(func.sum(Result.total_tokens), 0), func.coalesce(func.sum(Result.cost), 0))
    with session_scope() as session:
        per_model = session.execute(select(Result.served_model, *columns).where(Result.tenant_id == tenant.id)
                                    .group_by(Result.served_model).order_by(Result.served_model)).all()
        runs = session.scalar(select(func.count()).select_from(Run).where(Run.tenant_id == tenant.id))
    by_model = [ModelUsage(model=model, results=n, prompt_tokens=p, completion_tokens=c, total_tokens=t,
                           cost=float(cost)) for model, n, p, c, t, cost in per_model]
    return TenantUsage(
        runs=runs, results=sum(m.results for m in by_model),
        prompt_tokens=sum(m.prompt_tokens for m in by_model),
        completion_tokens=sum(m.completion_tokens for m in by_model),
        total_tokens=sum(m.total_tokens for m in by_model),
        cost=round(sum(m.cost for m in by_model), 6), by_model=by_model,
    )
