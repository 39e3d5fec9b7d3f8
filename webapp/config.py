"""Settings of the deployed web application: typed, read from the environment (``.env`` first) with safe local
defaults."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, NonNegativeInt, PositiveInt
from pydantic_settings import SettingsConfigDict

from settings import Settings

DEFAULT_PORT = 5006


class WebSettings(Settings):
    """Where to listen, who may open the dashboard's websocket, and what the demo mode does."""

    model_config = SettingsConfigDict(env_prefix="WEB_")

    platform_port: PositiveInt | None = Field(None, validation_alias="PORT")  # set by a platform: every interface
    web_host: str | None = Field(None, validation_alias="WEB_HOST")
    allow_ws_origin: str = Field("", validation_alias="BOKEH_ALLOW_WS_ORIGIN")  # host[:port], comma-separated
    # hostnames that hosting platforms put in the environment of the app (Hugging Face Spaces, Render, Heroku with
    # runtime dyno metadata): the dashboard's websocket accepts browsers coming from them
    space_host: str | None = Field(None, validation_alias="SPACE_HOST")
    render_external_hostname: str | None = Field(None, validation_alias="RENDER_EXTERNAL_HOSTNAME")
    heroku_app_default_domain_name: str | None = Field(None, validation_alias="HEROKU_APP_DEFAULT_DOMAIN_NAME")
    api_threads: PositiveInt = 4  # threads running the Flask API's requests (the dashboard runs on the event loop)
    demo: bool = Field(False, validation_alias="DEMO_MODE")  # fill an empty database with synthetic clients at release
    demo_clients: PositiveInt = Field(3000, validation_alias="DEMO_CLIENTS")
    demo_seed: NonNegativeInt = Field(42, validation_alias="DEMO_SEED")
    # the demo's training budget (about a minute on 2 cores for 3,000 clients)
    demo_train_args: str = Field("--folds 3 --max-evals 4 --strategies none,class_weight --compare-rows 3000 "
                                 "--no-policy-cost", validation_alias="DEMO_TRAIN_ARGS")
    demo_api_key: str | None = Field(None, validation_alias="DEMO_API_KEY")  # a key the API accepts for the demo
    # proxies in front whose X-Forwarded-* are trusted (the API's SCORING_TRUSTED_PROXIES)
    trusted_proxies: NonNegativeInt = Field(0, validation_alias="SCORING_TRUSTED_PROXIES")
    max_body: PositiveInt = Field(65536, validation_alias="WEB_MAX_BODY_BYTES")  # bytes; more is refused (413) unread
    max_buffer: ClassVar[int] = 1048576  # bytes tornado may buffer from one connection (headers, websocket frames)

    @property
    def port(self) -> int:
        """The port to listen on: the platform's $PORT, else 5006."""
        return self.platform_port or DEFAULT_PORT

    @property
    def host(self) -> str:
        """WEB_HOST; else every interface when a platform gave $PORT (reached from outside), else loopback."""
        return self.web_host or ("0.0.0.0" if self.platform_port else "127.0.0.1")  # nosec B104: $PORT set = platform

    @property
    def websocket_origins(self) -> tuple[str, ...]:
        """BOKEH_ALLOW_WS_ORIGIN, the platform's public host name, and this machine on the port."""
        origins = [o.strip() for o in self.allow_ws_origin.split(",") if o.strip()]
        origins += [h for h in (self.space_host, self.render_external_hostname, self.heroku_app_default_domain_name) if h]
        return tuple(dict.fromkeys([*origins, f"localhost:{self.port}", f"127.0.0.1:{self.port}"]))
