"""Start-up objects are exempted from garbage-collection scans (full collections otherwise stall the server)."""

import asyncio
import gc

import pytest


class TestFreezeStartupObjects:
    @pytest.fixture
    def mlops_config(self, tmp_path):
        return {"resource_metadata_path": str(tmp_path / "none.json"), "freeze_startup_objects": True}

    async def test_start_up_objects_are_exempted_from_collection_scans(self, jp_serverapp):
        assert jp_serverapp.web_app.settings["sagemaker_mlops.config"].freeze_startup_objects
        for _ in range(50):  # the freeze runs once the server's loop turns
            if gc.get_freeze_count():
                break
            await asyncio.sleep(0.02)
        assert gc.get_freeze_count() > 1000


async def test_the_setting_can_leave_the_collector_alone(jp_serverapp):
    await asyncio.sleep(0.1)
    assert gc.get_freeze_count() == 0
