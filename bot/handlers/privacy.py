"""/export and /deleteme: the user's data in their hands."""

from __future__ import annotations

from bot.runtime import Ctx, Document, Reply, handler
from tracker import privacy


@handler
async def export_command(ctx: Ctx) -> list[Reply]:
    data = await privacy.export_data(ctx.uow, ctx.user)
    json_file = Document("quran-tracker.json", privacy.export_json(data))
    csv_file = Document("quran-tracker-readings.csv", privacy.readings_csv(data))
    return [
        Reply(ctx.t("export.intro", readings=ctx.t.num(len(data["readings"])))),
        Reply(ctx.t("export.json"), document=json_file),
        Reply(ctx.t("export.csv"), document=csv_file),
    ]


@handler
async def deleteme_command(ctx: Ctx) -> Reply:
    return Reply(
        ctx.t("deleteme.confirm"),
        buttons=[[(ctx.t("deleteme.yes"), "deleteme:yes"), (ctx.t("deleteme.no"), "deleteme:no")]],
    )


@handler
async def deleteme_button(ctx: Ctx) -> Reply:
    if ctx.callback_data != "deleteme:yes":
        return Reply(ctx.t("deleteme.kept"), edit=True)
    await privacy.delete_everything(ctx.uow, ctx.user)
    ctx.user_state.clear()
    return Reply(ctx.t("deleteme.done"), edit=True)
