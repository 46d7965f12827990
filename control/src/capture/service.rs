//! The `encap.v1.Capture` gRPC service: Watch, ListAgents, and adding and
//! revoking agents.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use encap_core::filter::Filter;
use encap_fields::resolve;
use encap_proto::v1 as pb;
use encap_proto::v1::capture_server::Capture as CaptureApi;
use tokio::sync::mpsc;
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::hub::{Hub, WATCHER_QUEUE, WatchItem, WatchSpec, WatcherGuard};
use crate::accounts::now;
use crate::agents;
use crate::auth;
use crate::error::ServiceError;
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct CaptureService {
    pub store: Store,
    pub hub: Arc<Hub>,
}

/// The watcher's events; dropping it (the client went away) removes the watcher.
#[derive(Debug)]
pub struct WatchStream {
    events: ReceiverStream<WatchItem>,
    guard: WatcherGuard,
}

impl Stream for WatchStream {
    type Item = WatchItem;

    /// Queued events first; once the queue is drained, the losses not yet
    /// told (so a watcher that fell behind learns of them even when traffic stops).
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<WatchItem>> {
        match Pin::new(&mut self.events).poll_next(cx) {
            Poll::Pending => match self.guard.watcher().take_loss() {
                Some(loss) => Poll::Ready(Some(Ok(pb::WatchEvent {
                    kind: Some(pb::watch_event::Kind::Loss(loss)),
                }))),
                None => Poll::Pending,
            },
            Poll::Ready(Some(Ok(event))) => {
                if let Some(pb::watch_event::Kind::Packets(p)) = &event.kind {
                    self.guard.watcher().taken(p.len() as u64);
                }
                Poll::Ready(Some(Ok(event)))
            }
            other => other,
        }
    }
}

fn internal(e: impl std::fmt::Display) -> Status {
    ServiceError::Internal(e.to_string()).into()
}

#[tonic::async_trait]
impl CaptureApi for CaptureService {
    type WatchStream = WatchStream;

    async fn watch(
        &self,
        request: Request<pb::WatchRequest>,
    ) -> Result<Response<WatchStream>, Status> {
        let user = auth::session(&request)?.user.name.clone();
        let pb::WatchRequest {
            agents,
            filter,
            tree,
            bytes,
            limit,
            fields,
        } = request.into_inner();
        let fields =
            resolve(&fields).map_err(|e| Status::invalid_argument(format!("fields: {e}")))?;
        let compiled = if filter.trim().is_empty() {
            None
        } else {
            let f = Filter::compile(&filter)
                .map_err(|e| Status::invalid_argument(format!("filter: {e}")))?;
            Some(Box::new(f))
        };
        let known = self.store.agents().await.map_err(internal)?;
        for agent in &agents {
            if !known.iter().any(|k| &k.name == agent) {
                return Err(Status::not_found(format!(
                    "no agent is named {agent:?} (`encap agents` lists them)"
                )));
            }
        }
        tracing::info!(%user, ?agents, %filter, "watching");
        let (tx, rx) = mpsc::channel(WATCHER_QUEUE);
        let spec = WatchSpec {
            agents,
            filter: compiled,
            filter_text: filter,
            tree,
            bytes,
            fields,
            limit,
        };
        let guard = self.hub.add_watcher(spec, tx);
        Ok(Response::new(WatchStream {
            events: ReceiverStream::new(rx),
            guard,
        }))
    }

    async fn list_agents(
        &self,
        request: Request<pb::ListAgentsRequest>,
    ) -> Result<Response<pb::ListAgentsResponse>, Status> {
        auth::session(&request)?;
        let agents = self.store.agents().await.map_err(internal)?;
        let agents = agents
            .into_iter()
            .filter(|a| a.revoked_at.is_none())
            .map(|a| {
                let live = self.hub.agent_view(&a.name).unwrap_or_default();
                pb::Agent {
                    name: a.name,
                    online: live.online,
                    address: live.address,
                    software: live.software,
                    edge_filter: live.edge_filter,
                    seen: live.counters.seen,
                    filtered_out: live.counters.filtered_out,
                    dropped_at_source: live.counters.dropped_at_source,
                    dropped_in_queue: live.counters.dropped_in_queue,
                    sent: live.counters.sent,
                    lost_on_uplink: live.counters.lost_on_uplink,
                    received: live.received,
                    last_seen: (live.last_seen > 0).then(|| crate::api::timestamp(live.last_seen)),
                }
            })
            .collect();
        Ok(Response::new(pb::ListAgentsResponse { agents }))
    }

    async fn add_agent(
        &self,
        request: Request<pb::AddAgentRequest>,
    ) -> Result<Response<pb::AddAgentResponse>, Status> {
        let admin = administrator(&request, "add agents")?;
        let added = agents::add(&self.store, &request.get_ref().name, now()).await?;
        tracing::info!(%admin, agent = %added.name, "agent added");
        Ok(Response::new(pb::AddAgentResponse {
            name: added.name,
            token: added.token,
        }))
    }

    async fn revoke_agent(
        &self,
        request: Request<pb::RevokeAgentRequest>,
    ) -> Result<Response<pb::RevokeAgentResponse>, Status> {
        let admin = administrator(&request, "revoke agents")?;
        let name = &request.get_ref().name;
        agents::revoke(&self.store, name, now()).await?;
        self.hub.agent_revoked(name);
        tracing::info!(%admin, agent = %name, "agent revoked");
        Ok(Response::new(pb::RevokeAgentResponse {}))
    }
}

/// The caller's name if they are an administrator.
fn administrator<T>(request: &Request<T>, what: &str) -> Result<String, Status> {
    let user = &auth::session(request)?.user;
    if user.admin {
        Ok(user.name.clone())
    } else {
        Err(ServiceError::Forbidden(format!(
            "only administrators may {what}; one is made on the service's host with \
             encap-control admins add {}",
            user.name
        ))
        .into())
    }
}
