"""Content types of every site (tenant schemas only)."""

from .articles import ArticlePage
from .base import ColumnClass, SitePage
from .branding import SiteBranding
from .columns import AggregateSource, ColumnPage
from .disclosure import (
    AnnualReportIndexPage,
    DisclosureCatalogPage,
    DisclosureDocumentPage,
    DisclosureMethod,
    Genre,
    IndexNumberCounter,
    IndexNumberError,
    TopicCategory,
    Validity,
    allocate_index_number,
)
from .home import SiteHomePage
from .information import InformationPage, LeaderPage, ServicePage, TopicPage

__all__ = [
    "AggregateSource",
    "AnnualReportIndexPage",
    "ArticlePage",
    "ColumnClass",
    "ColumnPage",
    "DisclosureCatalogPage",
    "DisclosureDocumentPage",
    "DisclosureMethod",
    "Genre",
    "IndexNumberCounter",
    "IndexNumberError",
    "InformationPage",
    "LeaderPage",
    "ServicePage",
    "SiteBranding",
    "SiteHomePage",
    "SitePage",
    "TopicCategory",
    "TopicPage",
    "Validity",
    "allocate_index_number",
]
