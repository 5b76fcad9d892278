"""Where citizens' attachments live: a private directory, never under MEDIA_ROOT (all of it public)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFiles(FileSystemStorage):
    """Files with no URL: staff read them through the admin's checking view only.

    The directory is read from ``CMS_INTERACTION_FILES`` on every use, not fixed when the model
    class is built, so a deployment (or a test) that moves it is followed.
    """

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.CMS_INTERACTION_FILES)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("留言附件没有公开地址，只能经后台下载。")


def private_files():
    return PrivateFiles()
