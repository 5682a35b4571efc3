"""The dbt models (staging, intermediate, marts) as assets; their dbt tests as asset checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.defs.transform.resources import sdsf_dbt_project
from orchestration.incremental import REFRESH_TAG
from orchestration.progress import Progress


class SdsfDbtTranslator(DagsterDbtTranslator):
    """Groups models by layer (the folder they live in) and marks the warehouse kind."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] != "model":
            return super().get_group_name(dbt_resource_props)
        folder = dbt_resource_props["fqn"][1] if len(dbt_resource_props["fqn"]) > 2 else None
        return folder or "dbt"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return ["team:data-engineering"]


@dbt_assets(
    manifest=sdsf_dbt_project.manifest_path,
    project=sdsf_dbt_project,
    dagster_dbt_translator=SdsfDbtTranslator(),
)
def sdsf_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Build and test every dbt model of the selection, logging each model built and the time
    left.

    An incremental run (orchestration/incremental.py) builds and tests the models it selected,
    its unit tests left out: they check the SQL, unchanged since the last full refresh.
    """
    models = Progress(len(context.selected_asset_keys))
    args = ["build"]
    if context.run.tags.get(REFRESH_TAG) == "incremental":
        args += ["--exclude-resource-type", "unit_test"]
    for event in dbt.cli(args, context=context).stream():
        if isinstance(event, dg.Output | dg.AssetMaterialization):
            name = getattr(event, "output_name", None) or event.asset_key.to_user_string()
            context.log.info(models.step(f"dbt model {name}"))
        yield event
