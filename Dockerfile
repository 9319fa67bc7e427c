# syntax=docker/dockerfile:1
# Multi-stage: build with the SDK, run on the ASP.NET runtime as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig Orchestrator.sln ./
COPY src/ src/
RUN dotnet publish src/Orchestrator/Orchestrator.csproj -c Release -o /app --no-self-contained

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN groupadd --system orchestrator && useradd --system --gid orchestrator --home-dir /data --no-create-home orchestrator \
    && mkdir -p /data /etc/orchestrator && chown orchestrator:orchestrator /data
WORKDIR /app
COPY --from=build /app ./
COPY playbooks/ /etc/orchestrator/playbooks/
USER orchestrator
VOLUME ["/data"]
# HTTP API, syslog UDP and TCP, syslog TLS (when a certificate is configured).
EXPOSE 8080/tcp 5514/udp 5514/tcp 6514/tcp
# Inside a container the listeners must bind all interfaces so published ports reach them;
# outside one, the defaults bind 127.0.0.1 only.
ENTRYPOINT ["dotnet", "/app/orchestrator.dll"]
CMD ["serve", "--data", "/data", "--playbooks", "/etc/orchestrator/playbooks", "--http", "0.0.0.0:8080", "--syslog-udp", "0.0.0.0:5514", "--syslog-tcp", "0.0.0.0:5514"]
