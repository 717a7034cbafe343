"""Interface wiring of the ``datathon`` plugin; the logic lives elsewhere."""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation
from ckan.types import Context, SignalMapping

from ckanext.datathon import views
from ckanext.datathon.lib import page_cache
from ckanext.datathon.logic import labels, project_rules
from ckanext.datathon.logic.action import plugin_actions
from ckanext.datathon.views import base as view_utils
from ckanext.datathon.views import csrf, host_guard, text_guard
from ckanext.datathon.views import team as team_views


@tk.blanket.config_declarations
# actions: logic/action's __all__, plus chained core actions of optional plugins
@tk.blanket.actions(plugin_actions)
@tk.blanket.auth_functions
@tk.blanket.validators
@tk.blanket.helpers
@tk.blanket.blueprints(views.blueprints)
@tk.blanket.cli
class DatathonPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    # ITranslation: i18n/<locale>/LC_MESSAGES/ckanext-datathon.mo (DefaultTranslation)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IConfigurable)
    p.implements(p.IPermissionLabels)
    p.implements(p.ISignal)

    _labels = labels.ProjectPermissionLabels()

    # IConfigurer

    def update_config(self, config: CKANConfig) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "ckanext-datathon")
        tk.add_public_directory(config, "public")

    # IConfigurable (runs once every plugin is loaded)

    def configure(self, config: CKANConfig) -> None:
        labels.check_plugin_order(self)
        labels.watch_visibility()

    # IPermissionLabels: core's defaults, but hidden projects are for their
    # team and the organizers, not every member of the organization

    def get_dataset_labels(self, dataset_obj: model.Package) -> list[str]:
        return self._labels.get_dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj: model.User) -> list[str]:
        return self._labels.get_user_dataset_labels(user_obj)

    # ISignal

    def get_signal_subscriptions(self) -> SignalMapping:
        return {
            tk.signals.action_succeeded: [
                {"sender": action, "receiver": labels.team_changed}
                for action in labels.TEAM_ACTIONS
            ]
        }

    # IMiddleware

    def make_middleware(self, app: Any, config: CKANConfig) -> Any:
        if hasattr(app, "before_request"):  # the Flask app (not another middleware)
            # refuse what no view should read first: a NUL in the path, an
            # oversized body, a lone surrogate in JSON, a NUL anywhere; then the CSRF guards
            # a Host no URL can be built for: 400 before Flask routes it
            app.wsgi_app = host_guard.wrap(app.wsgi_app)
            app.before_request(view_utils.reject_nul_in_path)
            app.before_request(text_guard.limit_request_body)
            app.before_request(text_guard.reject_lone_surrogates)
            app.before_request(text_guard.reject_nul)
            csrf.remember_startup_exemptions(app)
            app.before_request(csrf.cookie_sessions_guard)
            app.before_request(team_views.project_forms_csrf_guard)
            app.before_request(team_views.project_new_guard)
        page_cache.watch_writes()
        return app

    # IPackageController (project records; other dataset types pass through
    # without a query)

    def after_dataset_create(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        project_rules.after_create(context, pkg_dict)

    def after_dataset_update(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        project_rules.after_update(context, pkg_dict)

    def after_dataset_show(self, context: Context, pkg_dict: dict[str, Any]) -> None:
        project_rules.after_show(context, pkg_dict)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return project_rules.before_index(pkg_dict)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return project_rules.before_search(search_params)
