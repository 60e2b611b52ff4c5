# scanapp: one image for the REST API (`scanapp serve`, the default command) and the workers
# (`scanapp worker`). Build: docker build -t scanapp .   Run: see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SCANAPP_WORKDIRS=/var/lib/scanapp/workdirs \
    SCANAPP_POLICIES_FILE=/app/policies.yml \
    SCANAPP_CLAMAV_DATABASE=/var/lib/clamav

# What scancode-toolkit and extractcode load at run time (OpenMP, bzip2, xz, zlib, libxml2,
# libxslt, popt), git for git input URLs, ClamAV (clamscan + freshclam) for scan_for_virus,
# Universal Ctags and GNU gettext (xgettext) for collect_symbols_ctags, collect_strings_gettext.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libgomp1 libbz2-1.0 xz-utils zlib1g libxml2 libxslt1.1 libpopt0 \
        git ca-certificates clamav clamav-freshclam universal-ctags gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md policies.yml ./
COPY scanapp ./scanapp
COPY pipelines ./pipelines
COPY outputs ./outputs
# The license index is loaded (built if the wheel lacks it) now, as root: site-packages is
# read-only for the scanapp user. ClamAV's database and log folders belong to that user so
# `freshclam` can run in the container.
RUN pip install . \
    && python -c "from licensedcode.cache import get_index; get_index()" \
    && useradd --system --create-home --home-dir /home/scanapp scanapp \
    && mkdir -p "$SCANAPP_WORKDIRS" /var/log/clamav \
    && chown -R scanapp:scanapp /var/lib/scanapp /var/lib/clamav /var/log/clamav

USER scanapp
VOLUME ["/var/lib/scanapp/workdirs"]
EXPOSE 8001
CMD ["scanapp", "serve", "--host", "0.0.0.0", "--port", "8001"]
