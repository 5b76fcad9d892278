"""``WAGTAIL_FINISH_WORKFLOW_ACTION``: Wagtail imports this while its models load, so it imports
nothing at module level; the rules are in ``chain.publish_approved``."""


def publish_approved(workflow_state, user=None):
    from .chain import publish_approved as publish

    return publish(workflow_state, user=user)
