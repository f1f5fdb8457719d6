"""Every lint rule, one module each; importing this package registers them all."""

from . import (  # noqa: F401
    upoe501_table_without_policy,
    upoe502_request_call_not_initplan,
    upoe503_function_search_path,
    upoe504_exposed_security_definer,
    upoe505_view_without_security_invoker,
    upoe506_user_metadata,
    upoe507_always_true_write_policy,
    upoe508_several_permissive_policies,
    upoe509_unindexed_foreign_key,
    upoe510_tenant_child_without_tenant_key,
    upoe511_extension_in_public,
    upoe512_update_unlike_insert,
    upoe513_actor_column_unpinned,
    upoe514_ownership_without_index,
)
