"""The JSON API: thin routes over the Advisor."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServingDep
from api.logs import record_answer
from api.metrics import count_cache
from api.schemas import JSON_BODY_RESPONSES, AskRequest, AskResponse

router = APIRouter()


@router.post(
    "/api/ask",
    response_model=AskResponse,
    responses=JSON_BODY_RESPONSES,
    summary="Answer a question from the guides, with cited excerpts",
)
async def ask(body: AskRequest, serving: ServingDep) -> AskResponse:
    advisor, answers, base_url = serving.advisor, serving.answers, serving.base_url
    reading = advisor.read(body.question, body.turns())
    alone = reading.previous is None  # a follow-up's answer depends on its history: never cached
    answer = answers.get(body.question, body.top_k, base_url, advisor.content_version) if alone else None
    count_cache(hit=answer is not None)
    if answer is None:
        answer = await serving.batcher.run_many(
            advisor.embedding_texts(reading), lambda vectors: advisor.answer(reading, vectors, body.top_k, base_url)
        )
        if alone:
            answers.put(answer, body.top_k, base_url)
    record_answer(body.question, answer.answered)
    return AskResponse.from_answer(answer)
